import type { ClientWithCredential } from '@sp-oauth/core'
import { type Kysely, type Selectable, sql } from 'kysely'
import { type CompiledShapes, compiledShapes } from '../compiled-shapes.js'
import type { ClientTable, SpOAuthDatabase } from '../database.js'
import { toClientRecord } from './client-repository.js'
import type { RepositoryScope } from './repository-scope.js'

// Every column of the clients table: `satisfies` makes a column added to the table a type error
// here, so the joined read never hands `toClientRecord` a row without it.
const CLIENT_COLUMNS = Object.keys({
  id: true,
  name: true,
  redirect_uris: true,
  allowed_grants: true,
  allowed_scopes: true,
  confidential: true,
  application_type: true,
  silent_consent: true,
  resource_server: true,
  token_endpoint_auth_method: true,
  access_token_ttl_minutes: true,
  refresh_token_ttl_days: true,
  secret_hash: true,
  secret_hash_key_id: true,
  created_at: true,
  updated_at: true,
  revoked_at: true,
} satisfies Record<keyof ClientTable, true>) as (keyof ClientTable)[]

/** The joined client's columns are read under this prefix, clear of the credential's own. */
const PREFIX = 'client__'
const PREFIXED = CLIENT_COLUMNS.map((column) => [column, `${PREFIX}${column}`] as const)

/** Which credential to read, by which hash, for which client, and how its row decodes. */
export interface CredentialRead<Row, T> {
  readonly table: 'authorization_codes' | 'refresh_tokens'
  readonly hashColumn: 'code_hash' | 'token_hash'
  readonly hash: string
  readonly clientId: string
  readonly toRecord: (row: Row) => T
}

/**
 * Reads the client `read.clientId` and, with it in one statement compiled once per storage, the
 * credential of `read.table` whose `read.hashColumn` is `read.hash`, kept only when it was issued
 * to that client; `null` when the client does not exist. The credential is found by its hash alone
 * and its client compared afterwards: given `client_id = ?` too, PostgreSQL may pick the
 * `client_id` index over the unique hash, and for a client newer than the table's statistics
 * (estimated to have no rows) it then reads every token of that client to find one.
 */
export async function readWithClient<Row extends { readonly client_id: string }, T>(
  scope: RepositoryScope,
  read: CredentialRead<Row, T>,
): Promise<ClientWithCredential<T> | null> {
  const lookups = (scope.lookups ?? compiledShapes<unknown>()) as CompiledShapes<Record<string, unknown>>
  const asJson = scope.dialect.rowAsJson === true
  const compiled = lookups(
    `${read.table}.findByHashWithClient`,
    (slot) => (asJson ? asJsonValues : joined)(scope.db, read, slot('hash'), slot('clientId')).compile(),
    new Map([
      ['hash', read.hash],
      ['clientId', read.clientId],
    ]),
  )
  const row = (await scope.db.executeQuery(compiled)).rows[0]
  if (row === undefined) return null
  const { client, record } = asJson ? jsonValues(row) : joinedRows(row, read)
  if (client === null) return null
  const issuedToClient = record !== null && record.client_id === read.clientId
  return {
    client: toClientRecord(scope.dialect, client),
    record: issuedToClient ? read.toRecord(record as unknown as Row) : null,
  }
}

interface ReadRows {
  readonly client: Selectable<ClientTable> | null
  readonly record: { readonly client_id: unknown } | null
}

/**
 * `SELECT c.<client columns>, t.* FROM clients c LEFT JOIN <table> t ON t.<hash> = ? WHERE c.id = ?`,
 * with short aliases (the schema-qualified names would otherwise be repeated in every column).
 */
function joined<Row, T>(
  db: Kysely<SpOAuthDatabase>,
  read: CredentialRead<Row, T>,
  hash: string,
  clientId: string,
) {
  return db
    .selectFrom('clients as c')
    .leftJoin(`${read.table as 'authorization_codes'} as t`, (join) =>
      join.on(`t.${read.hashColumn as 'code_hash'}`, '=', hash),
    )
    .selectAll('t')
    .select(CLIENT_COLUMNS.map((column) => `c.${column} as ${PREFIX}${column}` as `c.${typeof column}`))
    .where('c.id', '=', clientId)
}

function joinedRows<Row, T>(row: Record<string, unknown>, read: CredentialRead<Row, T>): ReadRows {
  const client: Record<string, unknown> = {}
  for (const [column, prefixed] of PREFIXED) client[column] = row[prefixed]
  return {
    client: client as unknown as Selectable<ClientTable>,
    record: row[read.hashColumn] === null ? null : (row as { client_id: unknown }),
  }
}

/**
 * `SELECT (SELECT row_to_json(t) FROM <table> t WHERE <hash> = $1), (SELECT row_to_json(c) FROM
 * clients c WHERE id = $2)`: each row by its own key, no join to plan, two values to parse.
 */
function asJsonValues<Row, T>(
  db: Kysely<SpOAuthDatabase>,
  read: CredentialRead<Row, T>,
  hash: string,
  clientId: string,
) {
  return db.selectNoFrom((eb) => [
    eb
      .selectFrom(`${read.table as 'authorization_codes'} as t`)
      .select(sql<Row>`row_to_json(t)`.as('row'))
      .where(`t.${read.hashColumn as 'code_hash'}`, '=', hash)
      .as('record'),
    eb
      .selectFrom('clients as c')
      .select(sql<Selectable<ClientTable>>`row_to_json(c)`.as('row'))
      .where('c.id', '=', clientId)
      .as('client'),
  ])
}

function jsonValues(row: Record<string, unknown>): ReadRows {
  return {
    client: (row.client ?? null) as ReadRows['client'],
    record: (row.record ?? null) as ReadRows['record'],
  }
}
