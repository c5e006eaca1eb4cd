import type { AtomicIssuance } from '@sp-oauth/core'
import {
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  type QueryCreator,
  sql,
  type UpdateQueryBuilder,
} from 'kysely'
import type { AccessTokenTable, EventOutboxTable, RefreshTokenTable, SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import { type IssuedRows, toIssuedRows } from './issued-rows.js'

/** What the conditional `UPDATE` returns: one row when it changed the row, so this call won. */
interface Won {
  one: number
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
 * Code exchange and rotation as one PostgreSQL statement each: a data-modifying `WITH won AS
 * (UPDATE … WHERE … IS NULL RETURNING 1)`, then an `INSERT … SELECT … FROM won` per table, so the
 * inserts write rows only when the update returned one. One statement is atomic without a
 * transaction; and under `READ COMMITTED` a concurrent caller waits for the row lock, then
 * re-checks the condition on the committed row, finds it false and writes nothing (under a
 * stricter default it gets a serialization failure instead, which the caller's retry turns into
 * that same outcome).
 */
export function cteIssuance(
  db: Kysely<SpOAuthDatabase>,
  dialect: SqlDialect,
  options: { readonly eventsGoToOutbox: boolean },
): Omit<AtomicIssuance, 'eventsGoToOutbox'> {
  const run = async (claim: ClaimRow, rows: IssuedRows): Promise<boolean> => {
    const row = await issuanceStatement(db, claim, rows).executeTakeFirstOrThrow()
    return Number(row.won) > 0
  }
  return {
    redeemCode: (redemption) =>
      run(
        (creator) => claimCode(creator, redemption.codeHash, redemption.now),
        toIssuedRows(dialect, redemption, options),
      ),
    rotateRefreshToken: (rotation) =>
      run(
        (creator) => claimRefreshToken(creator, rotation.tokenHash, rotation.now),
        toIssuedRows(dialect, rotation, options),
      ),
  }
}

function claimCode(db: QueryCreator<SpOAuthDatabase>, codeHash: string, now: Date) {
  return db
    .updateTable('authorization_codes')
    .set({ consumed_at: now })
    .where('code_hash', '=', codeHash)
    .where('consumed_at', 'is', null)
    .returning(sql<number>`1`.as('one'))
}

function claimRefreshToken(db: QueryCreator<SpOAuthDatabase>, tokenHash: string, now: Date) {
  return db
    .updateTable('refresh_tokens')
    .set({ rotated_at: now })
    .where('token_hash', '=', tokenHash)
    .where('rotated_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning(sql<number>`1`.as('one'))
}

/**
 * `WITH won AS (<claim>), stored_access AS (INSERT …), [stored_refresh AS (INSERT …),]
 * [stored_events AS (INSERT …),] SELECT count(*) AS won FROM won`.
 */
function issuanceStatement(db: Kysely<SpOAuthDatabase>, claim: ClaimRow, rows: IssuedRows) {
  let statement: QueryCreator<WithWon> = db.with('won', claim)
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
 * `statement` with one more `WITH` clause. Kysely's type would add `name` as a table; nothing ever
 * reads these clauses (only `won` is read), so the type stays the tables plus `won`, which lets
 * the clauses be added conditionally.
 */
function withWrite<T extends keyof SpOAuthDatabase>(
  statement: QueryCreator<WithWon>,
  name: string,
  write: (db: QueryCreator<WithWon>) => InsertQueryBuilder<WithWon, T, InsertResult>,
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
