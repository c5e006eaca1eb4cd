// The example of the README, type-checked by `pnpm typecheck` (never run, never exported). Keep the
// two in step.
import { PGlite } from '@electric-sql/pglite'
import { type AuthorizationServer, createAuthorizationServer } from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import pg from 'pg'
import { createPostgresStorage, type PostgresStorage } from './index.js' // '@sp-oauth/postgres' in the README

export async function createServer(databaseUrl: string, hashKeySecret: string): Promise<AuthorizationServer> {
  const storage = createPostgresStorage(
    { pool: new pg.Pool({ connectionString: databaseUrl }) },
    { schema: 'oauth' }, // optional; tablePrefix defaults to 'sp_oauth_'
  )
  await storage.migrate() // creates or updates the tables; a no-op when they are current
  return createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    crypto: nodeCrypto({ keys: [{ id: 'k1', secret: hashKeySecret }] }),
  })
}

/** The embedded variant the README mentions. */
export async function createEmbeddedStorage(): Promise<PostgresStorage> {
  const storage = createPostgresStorage({ pglite: new PGlite('./data/oauth') }, { outbox: true })
  await storage.migrate()
  return storage
}
