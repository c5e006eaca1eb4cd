// The example of the README, type-checked by `pnpm typecheck` (never run, never exported). Keep the
// two in step. The README imports the dialect from @sp-oauth/postgres; here a stand-in of the same
// type keeps this package free of a dependency on it.
import type { Kysely } from 'kysely'
import { createSqlStorage, type SqlDialect, type SqlStorage } from './index.js' // '@sp-oauth/sql' in the README

declare const postgresSqlDialect: SqlDialect

export async function storageOn(db: Kysely<unknown>): Promise<SqlStorage> {
  const storage = createSqlStorage(db, postgresSqlDialect, { tablePrefix: 'sp_oauth_', outbox: true })
  await storage.migrate()
  return storage
}
