import { type Client, type ClientRecord, toClient } from '../domain/client.js'
import { OAuthError } from '../errors/oauth-error.js'
import type { ClientChanges } from '../ports/client-repository.js'
import { isClientId } from './internal/client-id.js'
import { type ClientInput, type ClientPatch, checkClientInput } from './internal/client-input.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'

/** The fields `updateClient` changes, in the order they are reported. */
const PATCHABLE = [
  'name',
  'redirectUris',
  'allowedGrants',
  'allowedScopes',
  'applicationType',
  'silentConsent',
  'resourceServer',
  'tokenEndpointAuthMethod',
  'accessTokenTtlMinutes',
  'refreshTokenTtlDays',
] as const satisfies readonly (keyof ClientPatch & keyof ClientChanges)[]

/**
 * Changes a client's metadata: the fields `patch` gives (`undefined` leaves a field as it is;
 * `null` puts a lifetime or the authentication method back to the default). The client as it
 * would be is checked like `createClient` checks a new one, so an update cannot leave a client
 * `createClient` would refuse. Its id, whether it is confidential and its secret never change
 * here (`rotateClientSecret` for the secret; a client that must become public or confidential is a
 * new client). Publishes `OAuthClientUpdated` with the names of the fields that changed; a patch
 * that changes nothing writes nothing.
 *
 * What changes applies from the next request: tokens already issued keep their scopes and
 * lifetimes until they expire, but a refresh only ever yields scopes the client is still allowed,
 * and a removed grant type or redirect URI is refused from then on.
 *
 * @throws OAuthError `invalid_request` naming each bad field, or `clientId` when no client has
 *   that id or it is revoked (a revoked client stays as it was)
 */
export async function updateClient(
  context: ServerContext,
  clientId: string,
  patch: ClientPatch,
): Promise<Client> {
  const current = isClientId(clientId) ? await context.storage.repositories.clients.findById(clientId) : null
  if (current === null) throw OAuthError.invalidRequest({ description: 'clientId: no client has this id' })
  if (current.revokedAt !== null) throw revoked()
  const problems = patchProblems(patch)
  if (problems.length > 0) throw OAuthError.invalidRequest({ description: problems.join('; ') })
  const checked = checkClientInput(context, { ...inputOf(current), ...definedFields(patch) })
  const changes: Record<string, unknown> = {}
  for (const field of PATCHABLE) {
    if (!sameValue(checked[field], current[field])) changes[field] = checked[field]
  }
  const changed = Object.keys(changes)
  if (changed.length === 0) return toClient(current)
  const now = context.clock.now()
  const updated = await commit(context, async (repositories, events) => {
    const record = await repositories.clients.update(clientId, changes as ClientChanges, now)
    if (record === null) throw revoked()
    events.record({ type: 'OAuthClientUpdated', clientId, changed })
    return record
  })
  return toClient(updated)
}

function inputOf(record: ClientRecord): ClientInput {
  const input: Record<string, unknown> = { confidential: record.confidential }
  for (const field of PATCHABLE) input[field] = record[field]
  return input as unknown as ClientInput
}

function patchProblems(patch: ClientPatch): string[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return ['patch: must be an object']
  return Object.keys(patch)
    .filter((field) => !(PATCHABLE as readonly string[]).includes(field))
    .map((field) =>
      field === 'confidential'
        ? 'confidential: cannot change (register a new client of the other kind)'
        : `${field}: not something updateClient changes`,
    )
}

function definedFields(patch: ClientPatch): ClientPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined))
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((value, i) => value === b[i])
  return a === b
}

function revoked(): OAuthError {
  return OAuthError.invalidRequest({
    description: 'clientId: the client is revoked (a revoked client cannot change)',
  })
}
