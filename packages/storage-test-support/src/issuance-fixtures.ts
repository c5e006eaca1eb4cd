// Records for the atomic issuance suite: stored clients, codes and refresh tokens to compete for,
// the records a step issues with the events reporting them, and reads of what the tables hold.
import type { AccessTokenRecord, ClientRecord, OAuthEvent, RefreshTokenRecord, Storage } from '@sp-oauth/core'
import {
  buildAccessTokenRecord,
  buildAuthorizationCodeRecord,
  buildClientRecord,
  buildRefreshTokenRecord,
} from '@sp-oauth/core/testing'
import type { SpOAuthDatabase } from '@sp-oauth/sql'
import type { Kysely } from 'kysely'

/** The `now` of a step: milliseconds set, so a column that drops them shows. */
export const ISSUED_AT = new Date('2030-01-01T00:00:00.001Z')

/** What one step issues: the tokens, the events reporting them, and its `now`. */
export interface Issued {
  readonly accessToken: AccessTokenRecord
  readonly refreshToken: RefreshTokenRecord | null
  readonly events: readonly OAuthEvent[]
  readonly now: Date
}

export async function storeClient(storage: Storage): Promise<ClientRecord> {
  const client = buildClientRecord()
  await storage.repositories.clients.insert(client)
  return client
}

/** A fresh client with an unconsumed code (its hash `codeHash` when given). */
export async function storeCode(storage: Storage, codeHash?: string) {
  const client = await storeClient(storage)
  const code = buildAuthorizationCodeRecord({
    clientId: client.id,
    expiresAt: new Date('2099-01-01T00:00:00.000Z'),
    ...(codeHash === undefined ? {} : { codeHash }),
  })
  await storage.repositories.authorizationCodes.insert(code)
  return { client, code }
}

/** A fresh client with a refresh token (its hash `tokenHash` when given) and that token's access token. */
export async function storeRefreshToken(storage: Storage, tokenHash?: string) {
  const client = await storeClient(storage)
  const access = buildAccessTokenRecord({ clientId: client.id })
  const refresh = buildRefreshTokenRecord({
    clientId: client.id,
    familyId: access.familyId ?? crypto.randomUUID(),
    accessTokenId: access.id,
    ...(tokenHash === undefined ? {} : { tokenHash }),
  })
  await storage.repositories.accessTokens.insert(access)
  await storage.repositories.refreshTokens.insert(refresh)
  return { client, access, refresh }
}

/** How the records of {@link issue} differ from plain ones. */
export interface IssueOptions {
  /** Default true. */
  readonly refreshToken?: boolean
  /** How many events report the issuance; default 1. */
  readonly events?: number
  /** Default a fresh one with quotes, a backslash, SQL and non-ASCII in it. */
  readonly userId?: string
  readonly now?: Date
  /** Every column a fresh token leaves empty set too (revoked and rotated times, the parent). */
  readonly everyColumn?: boolean
}

/** Fresh records a step of `clientId` issues, with `options.events` events about them. */
export function issue(clientId: string, options: IssueOptions = {}): Issued {
  const now = options.now ?? ISSUED_AT
  const userId = options.userId ?? `O'Brien"; DROP TABLE users; -- \\ 日本 🙂 ${crypto.randomUUID()}`
  const set = (date: string): Date | null => (options.everyColumn === true ? new Date(date) : null)
  const accessToken = buildAccessTokenRecord({
    clientId,
    userId,
    claims: { tenant: `"quoted" \\ 'x' ${crypto.randomUUID()}`, nested: { list: [1, 'two', null] } },
    scopes: ['invoices.read', crypto.randomUUID()],
    createdAt: now,
    revokedAt: set('2030-01-02T03:04:05.006Z'),
  })
  const refreshToken =
    options.refreshToken === false
      ? null
      : buildRefreshTokenRecord({
          clientId,
          userId,
          familyId: accessToken.familyId ?? crypto.randomUUID(),
          accessTokenId: accessToken.id,
          claims: accessToken.claims,
          scopes: accessToken.scopes,
          createdAt: now,
          parentId: options.everyColumn === true ? crypto.randomUUID() : null,
          rotatedAt: set('2030-01-03T03:04:05.007Z'),
          revokedAt: set('2030-01-04T03:04:05.008Z'),
        })
  const events = Array.from({ length: options.events ?? 1 }, (_, position) =>
    eventAbout(accessToken, refreshToken, position, now),
  )
  return { accessToken, refreshToken, events, now }
}

/**
 * The `position`th event about an issuance, of three kinds in turn: one aggregated by its client,
 * a rotation, and a failed authentication of no client (aggregated as `client:unknown`).
 */
function eventAbout(
  accessToken: AccessTokenRecord,
  refreshToken: RefreshTokenRecord | null,
  position: number,
  now: Date,
): OAuthEvent {
  const id = crypto.randomUUID()
  const occurredAt = new Date(now.getTime() + position)
  switch (position % 3) {
    case 0:
      return {
        type: 'OAuthTokenIssued',
        id,
        occurredAt,
        clientId: accessToken.clientId,
        userId: accessToken.userId,
        grantType: 'authorization_code',
        scopes: accessToken.scopes,
        accessTokenId: accessToken.id,
        refreshTokenId: refreshToken?.id ?? null,
        familyId: accessToken.familyId,
      }
    case 1:
      return {
        type: 'OAuthRefreshTokenRotated',
        id,
        occurredAt,
        clientId: accessToken.clientId,
        familyId: refreshToken?.familyId ?? 'none',
        previousTokenId: `previous "token" \\ ${position}`,
        refreshTokenId: refreshToken?.id ?? 'none',
      }
    default:
      return {
        type: 'OAuthClientAuthenticationFailed',
        id,
        occurredAt,
        clientId: null,
        reason: 'invalid_secret',
      }
  }
}

/** The outbox rows of `events`, in the table's id order, without that id. */
export async function outboxRowsOf(
  tables: Kysely<SpOAuthDatabase>,
  events: readonly OAuthEvent[],
): Promise<Record<string, unknown>[]> {
  if (events.length === 0) return []
  const rows = await tables
    .selectFrom('event_outbox')
    .selectAll()
    .where(
      'event_id',
      'in',
      events.map((event) => event.id),
    )
    .orderBy('id')
    .execute()
  return rows.map(({ id: _id, ...row }) => row)
}

/** How many token rows the client has, of each kind. */
export async function tokenRowsOf(
  tables: Kysely<SpOAuthDatabase>,
  clientId: string,
): Promise<{ readonly accessTokens: number; readonly refreshTokens: number }> {
  const count = async (table: 'access_tokens' | 'refresh_tokens') =>
    (await tables.selectFrom(table).select('id').where('client_id', '=', clientId).execute()).length
  return { accessTokens: await count('access_tokens'), refreshTokens: await count('refresh_tokens') }
}
