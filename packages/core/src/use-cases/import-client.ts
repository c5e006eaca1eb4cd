import { type Client, type ClientRecord, toClient } from '../domain/client.js'
import { OAuthError } from '../errors/oauth-error.js'
import { isClientId } from './internal/client-id.js'
import { type CheckedClientInput, type ClientInput, checkClientInput } from './internal/client-input.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'
import { storeNewClient } from './internal/store-new-client.js'

/** A client brought over from another server, with the credentials its partner already holds. */
export interface ClientImport extends ClientInput {
  /** Its client id there: 1 to 128 visible ASCII characters (RFC 6749 Appendix A.1, without spaces). */
  readonly id: string
  /**
   * Its current secret, in plaintext, for a confidential client: hashed on the way in, never
   * stored or returned as it is. At least 16 visible ASCII characters (RFC 6749 Appendix A.2).
   * Leave it out (or `null`) for a public client.
   */
  readonly secret?: string | null
  /** When it was registered there. Default: now. */
  readonly createdAt?: Date
}

const SECRET = /^[\x20-\x7e]{16,1024}$/

/**
 * Registers a client under the id and secret it already has elsewhere, so partners keep their
 * credentials through a migration. Checked like `createClient`; the secret is stored only as a hash.
 *
 * @throws OAuthError `invalid_request` listing every problem, or naming the id when a client
 *   already has it (revoked or not)
 */
export async function importClient(context: ServerContext, input: ClientImport): Promise<Client> {
  const { problems, checked } = checkImport(context, input)
  if (problems.length > 0 || checked === null) throw invalidImport(problems)
  const now = context.clock.now()
  const hashed = typeof input.secret === 'string' ? await context.hasher.hash(input.secret) : null
  const record: ClientRecord = {
    id: input.id,
    ...checked,
    secretHash: hashed?.hash ?? null,
    secretHashKeyId: hashed?.keyId ?? null,
    createdAt: input.createdAt ?? now,
    updatedAt: now,
    revokedAt: null,
  }
  try {
    await commit(context, async (repositories, events) => {
      if (await repositories.clients.findById(record.id)) throw idTaken()
      await storeNewClient(repositories, events, record)
    })
  } catch (error) {
    // A concurrent import of the same id passes the check and loses on the primary key: the
    // storage's own duplicate-key error then means the id was taken after all.
    if (!(error instanceof OAuthError) && (await context.storage.repositories.clients.findById(record.id))) {
      throw idTaken()
    }
    throw error
  }
  return toClient(record)
}

/**
 * What `importClient` would refuse `input` for, without writing anything: every problem as
 * `field: message`, a taken id included; empty when it would be imported (unless the id is taken
 * meanwhile). For a dry run over a whole file before importing any of it.
 */
export async function checkClientImport(
  context: ServerContext,
  input: ClientImport,
): Promise<readonly string[]> {
  const { problems } = checkImport(context, input)
  if (isClientId(input?.id) && (await context.storage.repositories.clients.findById(input.id))) {
    problems.push(idTaken().description!)
  }
  return problems
}

function checkImport(
  context: ServerContext,
  input: ClientImport,
): { problems: string[]; checked: CheckedClientInput | null } {
  if (typeof input !== 'object' || input === null)
    return { problems: ['input: must be an object'], checked: null }
  const problems = importProblems(input)
  let checked: CheckedClientInput | null = null
  try {
    checked = checkClientInput(context, input)
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error
    problems.unshift(...(error.description ?? '').split('; ').filter(Boolean))
  }
  return { problems, checked }
}

function importProblems(input: ClientImport): string[] {
  const problems: string[] = []
  if (!isClientId(input.id)) {
    problems.push('id: must be 1-128 visible ASCII characters, without spaces')
  }
  const secret = input.secret ?? null
  if (input.confidential === true) {
    if (typeof secret !== 'string' || !SECRET.test(secret)) {
      problems.push('secret: a confidential client needs its secret, 16-1024 visible ASCII characters')
    }
  } else if (secret !== null) {
    problems.push('secret: a public client has none')
  }
  if (
    input.createdAt !== undefined &&
    !(input.createdAt instanceof Date && Number.isFinite(input.createdAt.getTime()))
  ) {
    problems.push('createdAt: must be a valid Date')
  }
  return problems
}

function invalidImport(problems: readonly string[]): OAuthError {
  return OAuthError.invalidRequest({ description: problems.join('; ') })
}

function idTaken(): OAuthError {
  // Not quoted back: an id may hold `"` or `\`, which an error description may not (RFC 6749 §5.2).
  return OAuthError.invalidRequest({ description: 'id: a client with this id already exists' })
}
