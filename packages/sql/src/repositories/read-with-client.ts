import type { ClientRecord, IssuedToClient } from '@sp-oauth/core'
import { type Kysely, type Selectable, sql } from 'kysely'
import { type CompiledShapes, compiledShapes } from '../compiled-shapes.js'
import type { ClientTable, SpOAuthDatabase } from '../database.js'
import { toClientRecord } from './client-repository.js'
import { lookUpOne, type RepositoryScope } from './repository-scope.js'

const CLIENT_COLUMNS = [
  'id',
  'name',
  'redirect_uris',
  'allowed_grants',
  'allowed_scopes',
  'confidential',
  'application_type',
  'silent_consent',
  'resource_server',
  'secret_hash',
  'secret_hash_key_id',
  'created_at',
  'updated_at',
  'revoked_at',
] as const satisfies readonly (keyof ClientTable)[]

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
 * Reads the credential of `read.table` whose `read.hashColumn` is `read.hash` with its client, in one statement
 * (a join on the client's primary key) compiled once per storage, then decodes both; `null` when
 * there is no such credential or it was issued to another client than `read.clientId`. The client is
 * compared here, not in the `WHERE`: given both, PostgreSQL may pick the `client_id` index over the
 * unique hash, and for a client newer than the table's statistics (which estimate it to have no
 * rows) it then reads every token of that client to find one.
 */
export async function readWithClient<Row extends { readonly client_id: string }, T>(
  scope: RepositoryScope,
  read: CredentialRead<Row, T>,
): Promise<IssuedToClient<T> | null> {
  if (scope.dialect.rowAsJson === true) return readAsJson(scope, read)
  const { table, hashColumn, toRecord } = read
  // Short aliases: the schema-qualified names would otherwise be repeated in every column.
  const select = (hash: string) => (db: Kysely<SpOAuthDatabase>) =>
    db
      .selectFrom(`${table as 'authorization_codes'} as t`)
      .innerJoin('clients as c', 'c.id', 't.client_id')
      .selectAll('t')
      .select(CLIENT_COLUMNS.map((column) => `c.${column} as ${PREFIX}${column}` as `c.${typeof column}`))
      .where(`t.${hashColumn as 'code_hash'}`, '=', hash)
  const row = await lookUpOne(scope, `${table}.findByHashWithClient`, read.hash, select)
  if (row === undefined || row.client_id !== read.clientId) return null
  return {
    record: toRecord(row as unknown as Row),
    client: joinedClient(scope, row as Record<string, unknown>),
  }
}

/**
 * `SELECT (SELECT row_to_json(t) FROM <table> t WHERE <hash> = $1), (SELECT row_to_json(c) FROM
 * clients c WHERE id = $2)`: each row by its own key, no join to plan, two values to parse. The
 * client is the one the request claims; the credential counts only when it was issued to it.
 */
async function readAsJson<Row extends { readonly client_id: string }, T>(
  scope: RepositoryScope,
  read: CredentialRead<Row, T>,
): Promise<IssuedToClient<T> | null> {
  const { table, hashColumn, toRecord } = read
  const lookups = (scope.lookups ?? compiledShapes<unknown>()) as CompiledShapes<{
    record: Row | null
    client: Selectable<ClientTable> | null
  }>
  const compiled = lookups(
    `${table}.findByHashWithClient:json`,
    (slot) =>
      scope.db
        .selectNoFrom((eb) => [
          eb
            .selectFrom(`${table as 'authorization_codes'} as t`)
            .select(sql<Row>`row_to_json(t)`.as('row'))
            .where(`t.${hashColumn as 'code_hash'}`, '=', slot('hash'))
            .as('record'),
          eb
            .selectFrom('clients as c')
            .select(sql<Selectable<ClientTable>>`row_to_json(c)`.as('row'))
            .where('c.id', '=', slot('clientId'))
            .as('client'),
        ])
        .compile(),
    new Map([
      ['hash', read.hash],
      ['clientId', read.clientId],
    ]),
  )
  const row = (await scope.db.executeQuery(compiled)).rows[0]
  if (!row?.record || !row.client || row.record.client_id !== read.clientId) return null
  return { record: toRecord(row.record), client: toClientRecord(scope.dialect, row.client) }
}

function joinedClient(scope: RepositoryScope, row: Record<string, unknown>): ClientRecord {
  const client: Record<string, unknown> = {}
  for (const [column, prefixed] of PREFIXED) client[column] = row[prefixed]
  return toClientRecord(scope.dialect, client as Selectable<ClientTable>)
}
