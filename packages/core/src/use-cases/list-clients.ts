import { type Client, toClient } from '../domain/client.js'
import { hasControlCharacter, hasLoneSurrogate } from '../domain/control-characters.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { OAuthError } from '../errors/oauth-error.js'
import { clientListCursor, readClientListCursor } from './internal/client-list-cursor.js'
import type { ServerContext } from './internal/server-context.js'

/** Which clients `listClients` returns, a page at a time. */
export interface ClientListOptions {
  /** The `nextCursor` of the previous page; absent or `null`: the first page. */
  readonly cursor?: string | null
  /** Clients per page: a whole number from 1 to 1,000. Default 50. */
  readonly limit?: number
  /** Revoked clients too. Default `false`. */
  readonly includeRevoked?: boolean
  /**
   * Only clients whose name contains this text or whose id starts with it, ignoring case: 1 to 200
   * characters, no control characters. Absent, `null` or blank: every client.
   */
  readonly search?: string | null
}

/** One page of clients, and where the next one starts. */
export interface ClientPage {
  readonly clients: readonly Client[]
  /** Hand it back as `cursor` for the next page; `null` when this page is the last. */
  readonly nextCursor: string | null
}

export const DEFAULT_CLIENT_PAGE = 50
export const MAX_CLIENT_PAGE = 1000

/**
 * The registered clients in the order they were registered, a page at a time (keyset pagination:
 * a page costs one indexed read wherever it starts, and clients registered meanwhile are neither
 * skipped nor shown twice). Reads only.
 *
 * @throws OAuthError `invalid_request` naming each bad option
 */
export async function listClients(
  context: ServerContext,
  options: ClientListOptions = {},
): Promise<ClientPage> {
  const repository = context.storage.repositories.clients
  if (!repository.list) {
    throw new ConfigurationError([
      "storage.repositories.clients.list: listClients needs it; this storage's ClientRepository has none (see docs/ports.md)",
    ])
  }
  const problems: string[] = []
  const limit = options.limit ?? DEFAULT_CLIENT_PAGE
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_CLIENT_PAGE) {
    problems.push(`limit: must be a whole number from 1 to ${MAX_CLIENT_PAGE}`)
  }
  const includeRevoked = options.includeRevoked ?? false
  if (typeof includeRevoked !== 'boolean') problems.push('includeRevoked: must be true or false')
  const search = typeof options.search === 'string' ? options.search.trim() : (options.search ?? null)
  if (
    search !== null &&
    (typeof search !== 'string' ||
      search.length > 200 ||
      hasControlCharacter(search) ||
      hasLoneSurrogate(search))
  ) {
    problems.push('search: must be text of at most 200 characters without control characters')
  }
  let after = null
  try {
    after =
      options.cursor === undefined || options.cursor === null ? null : readClientListCursor(options.cursor)
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error
    problems.push(error.description ?? 'cursor: invalid')
  }
  if (problems.length > 0) throw OAuthError.invalidRequest({ description: problems.join('; ') })
  // One more than asked: whether it comes back says whether there is a next page.
  const records = await repository.list({
    after,
    limit: limit + 1,
    includeRevoked,
    search: search === '' ? null : (search as string | null),
  })
  const page = records.slice(0, limit)
  const last = page[page.length - 1]
  return {
    clients: page.map(toClient),
    nextCursor: records.length > limit && last ? clientListCursor(last) : null,
  }
}
