// The example of the README, type-checked by `pnpm typecheck` (never run, never exported). Keep the
// two in step.
import { type AuthorizationServer, createAuthorizationServer } from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createPool } from 'mysql2'
import { createMysqlStorage } from './index.js' // '@sp-oauth/mysql' in the README

export async function createServer(hashKeySecret: string): Promise<AuthorizationServer> {
  const pool = createPool({
    host: '127.0.0.1',
    user: 'oauth',
    password: process.env.MYSQL_PASSWORD ?? '',
    database: 'oauth',
    timezone: 'Z', // store times in UTC
  })
  const storage = createMysqlStorage({ pool }) // tablePrefix defaults to 'sp_oauth_'
  await storage.migrate() // creates or updates the tables; a no-op when they are current
  return createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    crypto: nodeCrypto({ keys: [{ id: 'k1', secret: hashKeySecret }] }),
  })
}
