import {
  PRUNE_INDEXES,
  type PruneIndex,
  pruneExpired,
  resolveTableNames,
  type SpOAuthDatabase,
  type SqlStorageOptions,
} from '@sp-oauth/sql'
import type { CompiledQuery, Kysely, LogEvent } from 'kysely'

/** The present the seeded rows' ages are measured from. */
export const PRUNE_PLAN_NOW = new Date('2030-06-01T12:00:00.000Z')

const DAY_MS = 24 * 60 * 60 * 1000
const at = (daysFromNow: number): Date => new Date(PRUNE_PLAN_NOW.getTime() + daysFromNow * DAY_MS)
const CHUNK = 500

/**
 * Fills the tables `pruneExpired()` reads with `rows` rows each (default 3000), shaped like a
 * server pruned daily: ages spread evenly over the retention, so only about 3% of each table is
 * old enough to go, as in production. A database then plans each candidate query as it would on a
 * large table (a range scan pays off when few rows match). Run `ANALYZE` afterwards.
 */
export async function seedPruneTables(
  tables: Kysely<SpOAuthDatabase>,
  clientId: string,
  options: { readonly rows?: number } = {},
): Promise<void> {
  const rows = options.rows ?? 3000
  const spread = (i: number): number => i / rows
  const insertAll = async <T>(make: (i: number) => T, insert: (values: T[]) => Promise<unknown>) => {
    for (let start = 0; start < rows; start += CHUNK) {
      await insert(Array.from({ length: Math.min(CHUNK, rows - start) }, (_, k) => make(start + k)))
    }
  }
  const json = '[]'
  // Codes live 10 minutes and go a day after expiry: ages over 1.03 days.
  await insertAll(
    (i) => ({
      code_hash: `prune-code-${i}`,
      hash_key_id: 'k1',
      grant_id: `grant-${i}`,
      client_id: clientId,
      user_id: `user-${i % 97}`,
      redirect_uri: 'https://client.example.com/cb',
      redirect_uri_explicit: true,
      scopes: json,
      claims: '{}',
      code_challenge: null,
      code_challenge_method: null,
      created_at: at(-spread(i) * 1.03),
      expires_at: at(-spread(i) * 1.03 + 0.007),
      consumed_at: i % 2 === 0 ? at(-spread(i) * 1.03) : null,
    }),
    (values) => tables.insertInto('authorization_codes').values(values).execute(),
  )
  // Refresh tokens live 30 days and go 60 days after expiry or revocation: ages over 93 days, in
  // rotation families of 5; one family in 20 revoked.
  const family = (i: number): string => `prune-family-${Math.floor(i / 5)}`
  await insertAll(
    (i) => {
      const created = at(-spread(i) * 93)
      return {
        id: `prune-refresh-${i}`,
        token_hash: `prune-refresh-hash-${i}`,
        hash_key_id: 'k1',
        family_id: family(i),
        parent_id: i % 5 === 0 ? null : `prune-refresh-${i - 1}`,
        client_id: clientId,
        user_id: `user-${i % 97}`,
        scopes: json,
        claims: '{}',
        access_token_id: `prune-access-${i}`,
        family_created_at: created,
        created_at: created,
        expires_at: at(-spread(i) * 93 + 30),
        rotated_at: i % 5 === 4 ? null : created,
        revoked_at: Math.floor(i / 5) % 20 === 0 ? created : null,
      }
    },
    (values) => tables.insertInto('refresh_tokens').values(values).execute(),
  )
  // Access tokens live an hour and go 30 days after expiry or revocation: ages over 31 days; half
  // of them from refresh families, one in 50 revoked.
  await insertAll(
    (i) => ({
      id: `prune-access-${i}`,
      token_hash: `prune-access-hash-${i}`,
      hash_key_id: 'k1',
      format: 'opaque',
      client_id: clientId,
      user_id: `user-${i % 97}`,
      grant_type: i % 2 === 0 ? 'refresh_token' : 'client_credentials',
      scopes: json,
      claims: '{}',
      family_id: i % 2 === 0 ? family(i) : null,
      created_at: at(-spread(i) * 31),
      expires_at: at(-spread(i) * 31 + 1 / 24),
      revoked_at: i % 50 === 0 ? at(-spread(i) * 31) : null,
    }),
    (values) => tables.insertInto('access_tokens').values(values).execute(),
  )
  // Delivered events go 7 days after delivery: ages over 7.2 days; one in 20 undelivered.
  await insertAll(
    (i) => ({
      event_id: `prune-event-${i}`,
      type: 'OAuthClientSecretRotated',
      aggregate_id: `client:${clientId}`,
      payload: '{}',
      occurred_at: at(-spread(i) * 7.2),
      delivered_at: i % 20 === 0 ? null : at(-spread(i) * 7.2),
    }),
    (values) => tables.insertInto('event_outbox').values(values).execute(),
  )
  // Consent tickets live 10 minutes and go a day after expiry: ages over 1.03 days.
  await insertAll(
    (i) => ({
      nonce_hash: `prune-ticket-${i}`,
      expires_at: at(-spread(i) * 1.03 + 0.007),
      consumed_at: at(-spread(i) * 1.03),
    }),
    (values) => tables.insertInto('consent_tickets').values(values).execute(),
  )
}

/** A candidate `SELECT` of `pruneExpired()`, as it was sent, and the index meant to serve it. */
export interface PruneCandidateQuery {
  readonly query: CompiledQuery
  readonly index: PruneIndex
  /** The physical name of the table whose rows it selects. */
  readonly table: string
  /** The name that table has in the query: its alias (`old`) or its own name. */
  readonly alias: string
  /** The physical name of the index. */
  readonly indexName: string
}

const ROLLBACK = new Error('rolled back on purpose')

/**
 * Runs `pruneExpired()` at {@link PRUNE_PLAN_NOW} in a transaction that is rolled back, recording
 * each candidate `SELECT` it sends (one per pass) and pairing it with its {@link PRUNE_INDEXES}
 * entry by the table it reads and the column of its `<` condition.
 *
 * @param open a Kysely instance on the tables (table name plugin applied) that calls `log`.
 * @throws when a candidate query has no entry in `PRUNE_INDEXES`, or an entry no query.
 */
export async function recordPruneCandidateQueries(
  open: (log: (event: LogEvent) => void) => Kysely<SpOAuthDatabase>,
  location: SqlStorageOptions,
): Promise<PruneCandidateQuery[]> {
  const selects = new Map<string, CompiledQuery>()
  const db = open((event) => {
    if (event.level === 'query' && /^\s*select\b/i.test(event.query.sql)) {
      selects.set(event.query.sql, event.query)
    }
  })
  await db
    .transaction()
    .execute(async (trx) => {
      await pruneExpired(trx, { now: PRUNE_PLAN_NOW })
      throw ROLLBACK
    })
    .catch((error: unknown) => {
      if (error !== ROLLBACK) throw error
    })
  const names = resolveTableNames(location)
  const unquote = (identifier: string): string => identifier.replace(/[`"]/g, '').split('.').at(-1) ?? ''
  const candidates = [...selects.values()].map((query): PruneCandidateQuery => {
    const from = /\bfrom\s+(\S+)(?:\s+as\s+(\S+))?/i.exec(query.sql)
    const range = /([`"\w.]+)\s*<\s*(?:\$\d+|\?)/.exec(query.sql)
    const table = unquote(from?.[1] ?? '')
    const column = unquote(range?.[1] ?? '')
    const index = PRUNE_INDEXES.find(
      (entry) => names.tables[entry.table] === table && entry.columns[0] === column,
    )
    if (index === undefined) {
      throw new Error(`No PRUNE_INDEXES entry for ${table}.${column}, read by: ${query.sql}`)
    }
    const alias = from?.[2] === undefined ? table : unquote(from[2])
    return { query, index, table, alias, indexName: names.index(index.index) }
  })
  for (const entry of PRUNE_INDEXES) {
    if (!candidates.some((candidate) => candidate.index === entry)) {
      throw new Error(`No pruneExpired query reads ${entry.table} by ${entry.columns.join(', ')}`)
    }
  }
  return candidates
}
