import { type Kysely, sql } from 'kysely'
import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'

/** Whether `table` (a physical name, in the configured schema) has `column`. */
export async function columnExists(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  names: TableNames,
  table: string,
  column: string,
): Promise<boolean> {
  const schema =
    dialect.name === 'mysql'
      ? sql`database()`
      : names.schema === null
        ? sql`current_schema()`
        : sql`${names.schema}`
  const { rows } = await sql<{ found: number }>`
    select 1 as found from information_schema.columns
    where table_schema = ${schema} and table_name = ${table} and column_name = ${column}
    limit 1`.execute(db)
  return rows.length > 0
}
