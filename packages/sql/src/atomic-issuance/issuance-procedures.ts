import { type RawBuilder, sql } from 'kysely'
import type { AccessTokenTable, RefreshTokenTable } from '../database.js'
import type { TableNames } from '../table-names.js'
import type { IssuedRows } from './issued-rows.js'

/** What a procedure parameter holds, which decides its SQL type. */
type ParameterKind = 'string' | 'timestamp' | 'flag'

// Every column of the token rows, in the order the procedures take them. `satisfies` makes a column
// added to a table a type error here: the procedures must then be recreated by a new migration.
const ACCESS_TOKEN_COLUMNS = {
  id: 'string',
  token_hash: 'string',
  hash_key_id: 'string',
  format: 'string',
  client_id: 'string',
  user_id: 'string',
  grant_type: 'string',
  scopes: 'string',
  claims: 'string',
  family_id: 'string',
  created_at: 'timestamp',
  expires_at: 'timestamp',
  revoked_at: 'timestamp',
} as const satisfies Record<keyof AccessTokenTable, ParameterKind>

const REFRESH_TOKEN_COLUMNS = {
  id: 'string',
  token_hash: 'string',
  hash_key_id: 'string',
  family_id: 'string',
  parent_id: 'string',
  client_id: 'string',
  user_id: 'string',
  scopes: 'string',
  claims: 'string',
  access_token_id: 'string',
  family_created_at: 'timestamp',
  created_at: 'timestamp',
  expires_at: 'timestamp',
  rotated_at: 'timestamp',
  revoked_at: 'timestamp',
} as const satisfies Record<keyof RefreshTokenTable, ParameterKind>

/**
 * The outbox columns the procedures write (the id is the database's), typed as `JSON_TABLE` reads
 * them out of the JSON array: strings in `utf8mb4`, whatever the server's default.
 */
const EVENT_COLUMNS = {
  event_id: 'varchar(255) character set utf8mb4',
  type: 'varchar(255) character set utf8mb4',
  aggregate_id: 'varchar(255) character set utf8mb4',
  payload: 'longtext character set utf8mb4',
  occurred_at: 'datetime(3)',
} as const

interface ProcedureParameter {
  readonly name: string
  readonly kind: ParameterKind
}

const prefixed = (prefix: string, columns: Record<string, ParameterKind>): ProcedureParameter[] =>
  Object.entries(columns).map(([column, kind]) => ({ name: `${prefix}${column}`, kind }))

/** The parameters after the hash and `now`: what both procedures store, the same way. */
const ISSUED_PARAMETERS: readonly ProcedureParameter[] = [
  ...prefixed('p_access_', ACCESS_TOKEN_COLUMNS),
  ...prefixed('p_refresh_', REFRESH_TOKEN_COLUMNS),
  { name: 'p_events', kind: 'string' },
]

/** The access-token columns, in the order the procedures (and a direct insert) take them. */
export const ACCESS_TOKEN_COLUMN_NAMES: readonly (keyof AccessTokenTable)[] = Object.keys(
  ACCESS_TOKEN_COLUMNS,
) as (keyof AccessTokenTable)[]

/** The procedures, by what they do. */
export type IssuanceProcedure = 'issueAccessToken' | 'redeemCode' | 'rotateRefreshToken'

/** Every procedure, in the order the migrations create them. */
export const ISSUANCE_PROCEDURES: readonly IssuanceProcedure[] = [
  'issueAccessToken',
  'redeemCode',
  'rotateRefreshToken',
]

/**
 * The procedures' names: the checked table prefix and a fixed word, so they are as safe as the
 * table names, and each prefix has its own.
 */
export function issuanceProcedureNames(names: TableNames): Readonly<Record<IssuanceProcedure, string>> {
  return {
    issueAccessToken: `${names.prefix}issue_access_token`,
    redeemCode: `${names.prefix}redeem_code`,
    rotateRefreshToken: `${names.prefix}rotate_refresh_token`,
  }
}

/**
 * The arguments of a call, in the procedures' parameter order: the claim's (the hash; for a
 * rotation, the hash and whether it supersedes; none for `issueAccessToken`), `now`, every column
 * of the access token and of the refresh token (all `NULL` without one), and the outbox rows as
 * one JSON array (`[]` without an outbox). Timestamps in that JSON are UTC `DATETIME` text, as the
 * storage keeps them (its pool runs with `timezone: 'Z'`).
 */
export function issuanceProcedureArguments(
  claim: readonly unknown[],
  now: Date,
  rows: IssuedRows,
): unknown[] {
  const { accessToken, refreshToken } = rows
  const events = rows.events.map((event) => ({
    event_id: event.event_id,
    type: event.type,
    aggregate_id: event.aggregate_id,
    payload: event.payload,
    occurred_at: utcDatetime(event.occurred_at),
  }))
  return [
    ...claim,
    now,
    ...Object.keys(ACCESS_TOKEN_COLUMNS).map(
      (column) => accessToken[column as keyof typeof accessToken] ?? null,
    ),
    ...Object.keys(REFRESH_TOKEN_COLUMNS).map((column) =>
      refreshToken === null ? null : (refreshToken[column as keyof typeof refreshToken] ?? null),
    ),
    JSON.stringify(events),
  ]
}

/** `2026-01-02 03:04:05.678`: a `DATETIME(3)` in UTC. */
function utcDatetime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '')
}

/**
 * `CREATE PROCEDURE` of one procedure, for MySQL 8 and MariaDB 10.6+ (for `JSON_TABLE`). The
 * procedure runs its own transaction: the conditional `UPDATE` (its row lock makes concurrent
 * callers wait, and they then find the condition false), and only when it changed the row, the
 * inserts (the outbox's only when the call has events: without an outbox every call has none, and
 * an empty `JSON_TABLE` insert still costs a statement); then it returns `won`, 1 or 0, as a result set. Any error rolls everything back and
 * reaches the caller unchanged (a deadlock stays retryable). Nothing in the text is a value: the
 * names come from the checked prefix, `collation` from the dialect.
 *
 * @param collation the tables' collation: the hash parameter must compare as the column does
 *   (and mixing two collations is an error on MySQL), and every string parameter must be
 *   `utf8mb4`, whatever the database's default character set.
 */
export function createIssuanceProcedure(
  procedure: IssuanceProcedure,
  names: TableNames,
  collation: string,
): RawBuilder<unknown> {
  const string = sql.raw(`longtext character set utf8mb4 collate ${collation}`)
  const typeOf = (kind: ParameterKind) =>
    kind === 'string' ? string : kind === 'flag' ? sql.raw('boolean') : sql.raw('datetime(3)')
  const claim = CLAIMS[procedure]
  const parameters: readonly ProcedureParameter[] = [
    ...claim.parameters,
    { name: 'p_now', kind: 'timestamp' },
    ...ISSUED_PARAMETERS,
  ]
  const declarations = sql.join(
    parameters.map((parameter) => sql`in ${sql.id(parameter.name)} ${typeOf(parameter.kind)}`),
  )
  const won = sql.id('won')
  const live = sql.id('live')
  const claimed = claim.update === null ? sql`true` : sql`row_count() = 1`
  return sql`create procedure ${sql.id(issuanceProcedureNames(names)[procedure])}(${declarations})
modifies sql data
sql security invoker
begin
  declare ${sql.id('v_live')} int default 0;
  declare exit handler for sqlexception
  begin
    rollback;
    resignal;
  end;
  start transaction;
  select count(*) into ${sql.id('v_live')} from ${sql.table(names.tables.clients)}
    where ${sql.id('id')} = ${sql.id('p_access_client_id')} and ${sql.id('revoked_at')} is null lock in share mode;
  if ${sql.id('v_live')} = 0 then
    rollback;
    select 0 as ${won}, 0 as ${live};
  else
    ${claim.update === null ? sql`do 0` : claim.update(names)};
    if ${claimed} then
      ${claim.after === null ? sql`do 0` : claim.after(names)};
      ${insertFromParameters(names.tables.access_tokens, 'p_access_', ACCESS_TOKEN_COLUMNS)};
      if ${sql.id('p_refresh_id')} is not null then
        ${insertFromParameters(names.tables.refresh_tokens, 'p_refresh_', REFRESH_TOKEN_COLUMNS)};
      end if;
      if ${sql.id('p_events')} <> '[]' then
        ${insertEvents(names.tables.event_outbox)};
      end if;
      commit;
      select 1 as ${won}, 1 as ${live};
    else
      rollback;
      select 0 as ${won}, 1 as ${live};
    end if;
  end if;
end`
}

/** `DROP PROCEDURE IF EXISTS` of one procedure. */
export function dropIssuanceProcedure(procedure: IssuanceProcedure, names: TableNames): RawBuilder<unknown> {
  return sql`drop procedure if exists ${sql.id(issuanceProcedureNames(names)[procedure])}`
}

/**
 * What each procedure competes for: its parameters before `p_now`, the conditional update (the
 * same conditions as the repositories'; none for `issueAccessToken`, which only needs the client
 * live), and what it does once that update changed its row.
 */
const CLAIMS: Record<
  IssuanceProcedure,
  {
    readonly parameters: readonly ProcedureParameter[]
    readonly update: ((names: TableNames) => RawBuilder<unknown>) | null
    readonly after: ((names: TableNames) => RawBuilder<unknown>) | null
  }
> = {
  issueAccessToken: { parameters: [], update: null, after: null },
  redeemCode: {
    parameters: [{ name: 'p_code_hash', kind: 'string' }],
    update: (names) =>
      sql`update ${sql.table(names.tables.authorization_codes)} set ${sql.id('consumed_at')} = ${sql.id('p_now')}
    where ${sql.id('code_hash')} = ${sql.id('p_code_hash')} and ${sql.id('consumed_at')} is null`,
    after: null,
  },
  rotateRefreshToken: {
    parameters: [
      { name: 'p_token_hash', kind: 'string' },
      { name: 'p_supersede', kind: 'flag' },
    ],
    // A superseded token (a retry within the reuse grace period) is revoked as well as rotated.
    update: (names) =>
      sql`update ${sql.table(names.tables.refresh_tokens)} set ${sql.id('rotated_at')} = ${sql.id('p_now')},
      ${sql.id('revoked_at')} = if(${sql.id('p_supersede')}, ${sql.id('p_now')}, null)
    where ${sql.id('token_hash')} = ${sql.id('p_token_hash')} and ${sql.id('rotated_at')} is null and ${sql.id('revoked_at')} is null`,
    // ... and so is its access token.
    after: (names) =>
      sql`if ${sql.id('p_supersede')} then
        update ${sql.table(names.tables.access_tokens)} set ${sql.id('revoked_at')} = ${sql.id('p_now')}
        where ${sql.id('id')} = (select ${sql.id('access_token_id')} from ${sql.table(names.tables.refresh_tokens)}
          where ${sql.id('token_hash')} = ${sql.id('p_token_hash')}) and ${sql.id('revoked_at')} is null;
      end if`,
  },
}

function insertFromParameters(
  table: string,
  prefix: string,
  columns: Record<string, ParameterKind>,
): RawBuilder<unknown> {
  const names = Object.keys(columns)
  return sql`insert into ${sql.table(table)} (${sql.join(names.map((column) => sql.id(column)))})
      values (${sql.join(names.map((column) => sql.id(`${prefix}${column}`)))})`
}

/** The outbox rows from the JSON array, in its order (so their ids grow in that order). */
function insertEvents(table: string): RawBuilder<unknown> {
  const columns = Object.entries(EVENT_COLUMNS)
  const names = sql.join(columns.map(([column]) => sql.id(column)))
  const definitions = sql.join(
    columns.map(([column, type]) => sql`${sql.id(column)} ${sql.raw(type)} path ${sql.lit(`$.${column}`)}`),
  )
  return sql`insert into ${sql.table(table)} (${names})
      select ${sql.join(columns.map(([column]) => sql.ref(`event.${column}`)))}
      from json_table(${sql.id('p_events')}, '$[*]' columns (${sql.id('position')} for ordinality, ${definitions})) as ${sql.id('event')}
      order by ${sql.ref('event.position')}`
}
