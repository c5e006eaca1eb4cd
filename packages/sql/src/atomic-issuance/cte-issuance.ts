import {
  type AtomicIssuance,
  ISSUANCE_RESULTS,
  type IssuanceResult,
  type IssuedTokenRecords,
} from '@sp-oauth/core'
import {
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  type QueryCreator,
  sql,
  type UpdateQueryBuilder,
  type UpdateResult,
} from 'kysely'
import { addRowValues, compiledShapes, slottedRow } from '../compiled-shapes.js'
import type { AccessTokenTable, EventOutboxTable, RefreshTokenTable, SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import { type IssuedRows, toIssuedRows } from './issued-rows.js'

/** What the conditional `UPDATE` (or the client row) returns: one row when the call may proceed. */
interface Won {
  one: number
  /** The rotated refresh token's, read by `superseded`. */
  access_token_id: string | null
}

/** The tables, plus `won`. */
type WithWon = SpOAuthDatabase & { won: Won }

/** The conditional `UPDATE` of the code or refresh token a call competes for. */
type ClaimRow = (
  db: QueryCreator<SpOAuthDatabase>,
) =>
  | UpdateQueryBuilder<SpOAuthDatabase, 'authorization_codes', 'authorization_codes', Won>
  | UpdateQueryBuilder<SpOAuthDatabase, 'refresh_tokens', 'refresh_tokens', Won>

/**
 * Every issuance as one PostgreSQL statement: a data-modifying `WITH won AS (UPDATE … WHERE … IS
 * NULL AND EXISTS (SELECT FROM clients WHERE id = … AND revoked_at IS NULL FOR SHARE) RETURNING 1)`
 * (for client_credentials, `won` is that client row), then an `INSERT … SELECT … FROM won` per
 * table, so the inserts write rows only when the claim won while the client was live. One
 * statement is atomic without a transaction. `FOR SHARE` on the client row conflicts with the
 * `UPDATE` of `revokeClient`: whichever comes second waits for the other's commit, so an issuance
 * either commits before the revocation (whose bulk revoke then sees its tokens) or, re-checking the
 * updated row, finds the client revoked and writes nothing. Likewise under `READ COMMITTED` a
 * concurrent claimant of one code or token waits for the row lock, then re-checks the condition on
 * the committed row, finds it false and writes nothing (under a stricter default it gets a
 * serialization failure instead, which the caller's retry turns into that same outcome). The check
 * sits inside the claim, not in a `WITH` of its own: a separate `live` clause, read twice, made the
 * statement about 5% dearer on PostgreSQL. A claim that did not win reads the client once more to
 * say why (`already-used` or `client-revoked`): that path is rare. A client_credentials issuance
 * without outbox events is a plain `INSERT … SELECT … WHERE EXISTS (live client FOR SHARE)`.
 */
export function cteIssuance(
  db: Kysely<SpOAuthDatabase>,
  dialect: SqlDialect,
  options: { readonly eventsGoToOutbox: boolean },
): Omit<AtomicIssuance, 'eventsGoToOutbox'> {
  const won = options.eventsGoToOutbox ? ISSUANCE_RESULTS.issuedWithEvents : ISSUANCE_RESULTS.issued
  const statements = compiledShapes<{ won: number | string | bigint }>()
  const inserts = compiledShapes<never>()
  const run = async (issued: IssuedTokenRecords, claim: Claim): Promise<IssuanceResult> => {
    const rows = toIssuedRows(dialect, issued, options)
    const clientId = issued.accessToken.clientId
    if (claim.kind === 'none' && rows.events.length === 0) {
      const values = new Map<string, unknown>([['clientId', clientId]])
      addRowValues(values, 'access.', rows.accessToken)
      const insert = inserts(
        'access-token',
        (slot) =>
          accessTokenInsert(db, slot('clientId'), slottedRow('access.', rows.accessToken, slot)).compile(),
        values,
      )
      const { numAffectedRows } = await db.executeQuery(insert)
      return numAffectedRows === 1n ? won : ISSUANCE_RESULTS.clientRevoked
    }
    const values = new Map<string, unknown>([
      ['clientId', clientId],
      ['now', issued.now],
      ['hash', claim.hash],
    ])
    addRowValues(values, 'access.', rows.accessToken)
    if (rows.refreshToken !== null) addRowValues(values, 'refresh.', rows.refreshToken)
    for (const [index, event] of rows.events.entries()) addRowValues(values, `event${index}.`, event)
    const shape = `${claim.kind}:${rows.refreshToken === null ? 0 : 1}:${rows.events.length}`
    const statement = statements(shape, (slot) => slottedStatement(db, claim.kind, rows, slot), values)
    const row = (await db.executeQuery(statement)).rows[0]
    if (row !== undefined && Number(row.won) > 0) return won
    if (claim.kind === 'none') return ISSUANCE_RESULTS.clientRevoked
    const client = await liveClient(db, clientId).executeTakeFirst()
    return client === undefined ? ISSUANCE_RESULTS.clientRevoked : ISSUANCE_RESULTS.alreadyUsed
  }
  return {
    issueAccessToken: (issuance) => run(issuance, { kind: 'none', hash: null }),
    redeemCode: (redemption) => run(redemption, { kind: 'code', hash: redemption.codeHash }),
    rotateRefreshToken: (rotation) =>
      run(rotation, {
        kind: rotation.supersede === true ? 'superseding-rotation' : 'rotation',
        hash: rotation.tokenHash,
      }),
  }
}

/** What a call competes for: nothing (client_credentials), a code, or a refresh token. */
interface Claim {
  readonly kind: 'none' | 'code' | 'rotation' | 'superseding-rotation'
  /** The code's or refresh token's hash. */
  readonly hash: string | null
}

/** The statement of one shape, with slots for every value (see `compiledShapes`). */
function slottedStatement(
  db: Kysely<SpOAuthDatabase>,
  kind: Claim['kind'],
  rows: IssuedRows,
  slot: (name: string) => never,
) {
  const clientId = slot('clientId')
  const now = slot('now')
  const hash = slot('hash')
  const claim: ClaimRow | null =
    kind === 'none'
      ? null
      : kind === 'code'
        ? (creator) => claimCode(creator, clientId, hash, now)
        : (creator) => claimRefreshToken(creator, clientId, hash, now, kind === 'superseding-rotation')
  const slotted: IssuedRows = {
    accessToken: slottedRow('access.', rows.accessToken, slot),
    refreshToken: rows.refreshToken === null ? null : slottedRow('refresh.', rows.refreshToken, slot),
    events: rows.events.map((event, index) => slottedRow(`event${index}.`, event, slot)),
  }
  return issuanceStatement(db, clientId, claim, slotted, {
    supersededAt: kind === 'superseding-rotation' ? now : null,
  }).compile()
}

/** The client's row while it is not revoked (`one`), as the claim's condition reads it. */
function liveClient(db: QueryCreator<SpOAuthDatabase>, clientId: string) {
  return db
    .selectFrom('clients')
    .select(sql<number>`1`.as('one'))
    .where('id', '=', clientId)
    .where('revoked_at', 'is', null)
}

function claimCode(db: QueryCreator<SpOAuthDatabase>, clientId: string, codeHash: string, now: Date) {
  return db
    .updateTable('authorization_codes')
    .set({ consumed_at: now })
    .where('code_hash', '=', codeHash)
    .where('consumed_at', 'is', null)
    .where((eb) => eb.exists(liveClient(db, clientId).forShare()))
    .returning([sql<number>`1`.as('one'), sql<string | null>`null`.as('access_token_id')])
}

/** With `supersede`, the token is revoked too, and hands its access token's id to `superseded`. */
function claimRefreshToken(
  db: QueryCreator<SpOAuthDatabase>,
  clientId: string,
  tokenHash: string,
  now: Date,
  supersede: boolean,
) {
  return db
    .updateTable('refresh_tokens')
    .set(supersede ? { rotated_at: now, revoked_at: now } : { rotated_at: now })
    .where('token_hash', '=', tokenHash)
    .where('rotated_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.exists(liveClient(db, clientId).forShare()))
    .returning([sql<number>`1`.as('one'), 'access_token_id'])
}

/**
 * `WITH won AS (<claim>, or the live client row FOR SHARE), [superseded AS (UPDATE …),]
 * stored_access AS (INSERT …), [stored_refresh AS (INSERT …),] [stored_events AS (INSERT …),]
 * SELECT count(*) AS won FROM won`.
 */
function issuanceStatement(
  db: Kysely<SpOAuthDatabase>,
  clientId: string,
  claim: ClaimRow | null,
  rows: IssuedRows,
  options: { readonly supersededAt: Date | null },
) {
  let statement = (claim === null
    ? db.with('won', (creator) =>
        liveClient(creator, clientId).select(sql<string | null>`null`.as('access_token_id')).forShare(),
      )
    : db.with('won', claim)) as unknown as QueryCreator<WithWon>
  const { supersededAt } = options
  if (supersededAt !== null) {
    statement = withWrite(statement, 'superseded', (creator) =>
      creator
        .updateTable('access_tokens')
        .set({ revoked_at: supersededAt })
        .where('id', 'in', creator.selectFrom('won').select('access_token_id'))
        .where('revoked_at', 'is', null),
    )
  }
  statement = withWrite(statement, 'stored_access', (creator) =>
    insertWhenWon(creator, 'access_tokens', rows.accessToken),
  )
  const { refreshToken } = rows
  if (refreshToken !== null) {
    statement = withWrite(statement, 'stored_refresh', (creator) =>
      insertWhenWon(creator, 'refresh_tokens', refreshToken),
    )
  }
  if (rows.events.length > 0) {
    statement = withWrite(statement, 'stored_events', (creator) => insertEventsWhenWon(creator, rows.events))
  }
  return statement.selectFrom('won').select((eb) => eb.fn.countAll<number | string | bigint>().as('won'))
}

/**
 * `INSERT INTO access_tokens (…) SELECT $1, … WHERE EXISTS (the live client row FOR SHARE)`: a
 * client_credentials issuance without events writes one row, so it needs no `WITH` around it and
 * no count; the affected rows say whether the client was live. The share lock serialises with
 * `revokeClient` as the claim's does.
 */
function accessTokenInsert(db: Kysely<SpOAuthDatabase>, clientId: string, row: Insertable<AccessTokenTable>) {
  const columns = Object.entries(row)
  return db
    .insertInto('access_tokens')
    .columns(columns.map(([column]) => column) as never)
    .expression(
      db
        .selectNoFrom(columns.map(([column, value]) => sql`${value}`.as(column)))
        .where((eb) => eb.exists(liveClient(db, clientId).forShare())),
    )
}

/**
 * `statement` with one more `WITH` clause. Kysely's type would add `name` as a table; nothing ever
 * reads these clauses (only `won` is read), so the type stays the tables plus `won`, which lets
 * the clauses be added conditionally.
 */
function withWrite<T extends keyof SpOAuthDatabase>(
  statement: QueryCreator<WithWon>,
  name: string,
  write: (
    db: QueryCreator<WithWon>,
  ) => InsertQueryBuilder<WithWon, T, InsertResult> | UpdateQueryBuilder<WithWon, T, T, UpdateResult>,
): QueryCreator<WithWon> {
  return statement.with(name, write) as unknown as QueryCreator<WithWon>
}

/**
 * `INSERT INTO <table> (<columns>) SELECT $1, $2, … FROM won`. No casts: PostgreSQL types a
 * parameter in the select list of an `INSERT … SELECT` by its target column, as in `VALUES`.
 */
function insertWhenWon<T extends 'access_tokens' | 'refresh_tokens'>(
  db: QueryCreator<WithWon>,
  table: T,
  row: Insertable<T extends 'access_tokens' ? AccessTokenTable : RefreshTokenTable>,
) {
  const columns = Object.entries(row)
  return (
    db
      .insertInto(table)
      // The row's own keys: Kysely cannot check them against a table picked by a type parameter.
      .columns(columns.map(([column]) => column) as never)
      .expression(db.selectFrom('won').select(columns.map(([column, value]) => sql`${value}`.as(column))))
  )
}

/**
 * `INSERT INTO event_outbox (…) SELECT … FROM won, (VALUES (…), …) AS event(…) ORDER BY position`:
 * one insert, in the events' order, so their ids grow in that order as with the repository's
 * multi-row insert (separate `WITH` inserts would run in no defined order). Values in a `VALUES`
 * list are not typed by the target, so the non-text ones are cast.
 */
function insertEventsWhenWon(db: QueryCreator<WithWon>, events: readonly Insertable<EventOutboxTable>[]) {
  const values = events.map(
    (event, position) =>
      sql`(${position}::integer, ${event.event_id}, ${event.type}, ${event.aggregate_id}, ${event.payload}::json, ${event.occurred_at}::timestamptz)`,
  )
  const columns = sql.join(EVENT_VALUES.map((column) => sql.id(column)))
  const table = sql<EventValues>`(values ${sql.join(values)})`.as<'event'>(
    sql`${sql.id('event')}(${columns})`,
  )
  return db
    .insertInto('event_outbox')
    .columns(['event_id', 'type', 'aggregate_id', 'payload', 'occurred_at'])
    .expression(
      db
        .selectFrom(['won', table])
        .select(['event.event_id', 'event.type', 'event.aggregate_id', 'event.payload', 'event.occurred_at'])
        .orderBy('event.position'),
    )
}

const EVENT_VALUES = ['position', 'event_id', 'type', 'aggregate_id', 'payload', 'occurred_at'] as const

/** A row of the `VALUES` list, in the order of {@link EVENT_VALUES}. */
interface EventValues {
  position: number
  event_id: string
  type: string
  aggregate_id: string
  payload: string
  occurred_at: Date
}
