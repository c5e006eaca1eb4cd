import { ConfigurationError } from '@sp-oauth/core'
import type { Kysely } from 'kysely'
import type { SpOAuthDatabase } from './database.js'

/** Options of `pruneExpired()`; every one has a default. */
export interface PruneExpiredOptions {
  /** The instant ages are measured from. Default: the system clock. */
  readonly now?: Date
  /** At most this many rows per `DELETE`; a table is pruned until a batch deletes fewer. Default 1000. */
  readonly batchSize?: number
  /** Authorization codes are deleted this long after they expired. Default 1. */
  readonly authorizationCodeRetentionDays?: number
  /** Access tokens are deleted this long after they expired or were revoked. Default 30. */
  readonly accessTokenRetentionDays?: number
  /** Refresh tokens are deleted this long after they expired or were revoked. Default 60. */
  readonly refreshTokenRetentionDays?: number
  /** Delivered outbox rows are deleted this long after delivery. Default 7. */
  readonly deliveredEventRetentionDays?: number
  /** Used consent tickets are deleted this long after their ticket expired. Default 1. */
  readonly consentTicketRetentionDays?: number
}

/** How many rows `pruneExpired()` deleted, per table. */
export interface PruneExpiredResult {
  readonly authorizationCodes: number
  readonly accessTokens: number
  readonly refreshTokens: number
  readonly eventOutbox: number
  readonly consentTickets: number
}

/** The defaults of {@link PruneExpiredOptions}. */
export const DEFAULT_PRUNE_OPTIONS = Object.freeze({
  batchSize: 1000,
  authorizationCodeRetentionDays: 1,
  accessTokenRetentionDays: 30,
  refreshTokenRetentionDays: 60,
  deliveredEventRetentionDays: 7,
  consentTicketRetentionDays: 1,
})

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * A token is old when either instant is before the threshold. Each is its own pass, a range scan of
 * that column's index (`PRUNE_INDEXES`): one `expires_at < ? OR revoked_at < ?` would read the
 * whole table, or merge two indexes, which MySQL does not do reliably. A row with both goes in the
 * first pass, so the totals are those of the `OR`.
 */
const PRUNED_BY = ['expires_at', 'revoked_at'] as const

/**
 * Deletes what no request can use any more, in batches of `batchSize` rows (each batch: select
 * the keys with `LIMIT`, then `DELETE … WHERE key IN (…)`, so MySQL and PostgreSQL run the same
 * statements and no statement locks much): authorization codes expired over
 * `authorizationCodeRetentionDays` ago; access tokens and refresh tokens expired or revoked over
 * their retention ago; outbox rows delivered over `deliveredEventRetentionDays` ago; used consent
 * tickets whose ticket expired over `consentTicketRetentionDays` ago (an expired ticket is refused
 * by its expiry, so its row is no longer needed to refuse it).
 *
 * Never deleted: any refresh token of a family that still has a live refresh token (unrevoked and
 * unexpired), nor the access tokens of such a family, since reuse detection finds a rotated token
 * by its hash and revokes the family through it (RFC 9700 §4.14.2). A family without a live token
 * never gets one again, so the check holds between the select and the delete. Clients, consents,
 * signing keys and undelivered events are never deleted. Safe to run from several processes at
 * once (a row is deleted once; the counts may then split between them).
 *
 * @throws ConfigurationError when an option is not a positive integer (days: a non-negative number).
 */
export async function pruneExpired(
  db: Kysely<SpOAuthDatabase>,
  options: PruneExpiredOptions = {},
): Promise<PruneExpiredResult> {
  const settings = { ...DEFAULT_PRUNE_OPTIONS, ...options }
  const problems: string[] = []
  if (!Number.isSafeInteger(settings.batchSize) || settings.batchSize < 1) {
    problems.push(`batchSize: must be a positive integer, got ${String(settings.batchSize)}`)
  }
  for (const name of [
    'authorizationCodeRetentionDays',
    'accessTokenRetentionDays',
    'refreshTokenRetentionDays',
    'deliveredEventRetentionDays',
    'consentTicketRetentionDays',
  ] as const) {
    const days = settings[name]
    if (!Number.isFinite(days) || days < 0) {
      problems.push(`${name}: must be a finite number of at least 0, got ${String(days)}`)
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems)
  const now = options.now ?? new Date()
  const before = (days: number): Date => new Date(now.getTime() - days * DAY_MS)
  const { batchSize } = settings

  const codesBefore = before(settings.authorizationCodeRetentionDays)
  const authorizationCodes = await inBatches(
    batchSize,
    async () =>
      (
        await db
          .selectFrom('authorization_codes')
          .select('code_hash')
          .where('expires_at', '<', codesBefore)
          .limit(batchSize)
          .execute()
      ).map((row) => row.code_hash),
    (keys) => db.deleteFrom('authorization_codes').where('code_hash', 'in', keys).executeTakeFirst(),
  )

  // Refresh tokens first: then an access token's family check sees the same live tokens.
  const refreshBefore = before(settings.refreshTokenRetentionDays)
  let refreshTokens = 0
  for (const column of PRUNED_BY) {
    refreshTokens += await inBatches(
      batchSize,
      async () =>
        (
          await db
            .selectFrom('refresh_tokens as old')
            .select('old.id')
            .where(`old.${column}`, '<', refreshBefore)
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('refresh_tokens as live')
                    .select('live.id')
                    .whereRef('live.family_id', '=', 'old.family_id')
                    .where('live.revoked_at', 'is', null)
                    .where('live.expires_at', '>', now),
                ),
              ),
            )
            .limit(batchSize)
            .execute()
        ).map((row) => row.id),
      (keys) => db.deleteFrom('refresh_tokens').where('id', 'in', keys).executeTakeFirst(),
    )
  }

  const accessBefore = before(settings.accessTokenRetentionDays)
  let accessTokens = 0
  for (const column of PRUNED_BY) {
    accessTokens += await inBatches(
      batchSize,
      async () =>
        (
          await db
            .selectFrom('access_tokens as old')
            .select('old.id')
            .where(`old.${column}`, '<', accessBefore)
            .where(({ or, eb, not, exists, selectFrom }) =>
              or([
                eb('old.family_id', 'is', null),
                not(
                  exists(
                    selectFrom('refresh_tokens as live')
                      .select('live.id')
                      .whereRef('live.family_id', '=', 'old.family_id')
                      .where('live.revoked_at', 'is', null)
                      .where('live.expires_at', '>', now),
                  ),
                ),
              ]),
            )
            .limit(batchSize)
            .execute()
        ).map((row) => row.id),
      (keys) => db.deleteFrom('access_tokens').where('id', 'in', keys).executeTakeFirst(),
    )
  }

  const eventsBefore = before(settings.deliveredEventRetentionDays)
  const eventOutbox = await inBatches(
    batchSize,
    async () =>
      (
        await db
          .selectFrom('event_outbox')
          .select('id')
          .where('delivered_at', 'is not', null)
          .where('delivered_at', '<', eventsBefore)
          .limit(batchSize)
          .execute()
      ).map((row) => row.id),
    (keys) => db.deleteFrom('event_outbox').where('id', 'in', keys).executeTakeFirst(),
  )

  const ticketsBefore = before(settings.consentTicketRetentionDays)
  const consentTickets = await inBatches(
    batchSize,
    async () =>
      (
        await db
          .selectFrom('consent_tickets')
          .select('nonce_hash')
          .where('expires_at', '<', ticketsBefore)
          .limit(batchSize)
          .execute()
      ).map((row) => row.nonce_hash),
    (keys) => db.deleteFrom('consent_tickets').where('nonce_hash', 'in', keys).executeTakeFirst(),
  )

  return { authorizationCodes, accessTokens, refreshTokens, eventOutbox, consentTickets }
}

/**
 * Selects up to `batchSize` keys and deletes those rows, again and again until a batch finds fewer
 * than `batchSize`; the total deleted.
 */
async function inBatches<K>(
  batchSize: number,
  selectKeys: () => Promise<K[]>,
  deleteKeys: (keys: K[]) => Promise<{ readonly numDeletedRows: bigint }>,
): Promise<number> {
  let total = 0
  for (;;) {
    const keys = await selectKeys()
    if (keys.length === 0) return total
    total += Number((await deleteKeys(keys)).numDeletedRows)
    if (keys.length < batchSize) return total
  }
}
