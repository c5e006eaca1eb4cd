// The reproduction of "errors nobody sees": a broken table on a real database makes the token
// endpoint answer 500, and the error must reach the app through onError, on both adapters.
import { createAuthorizationServer, type Storage } from '@sp-oauth/core'
import type { ErrorReport } from '@sp-oauth/core/http'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createOAuthExpress } from '@sp-oauth/express'
import { createOAuthKoa } from '@sp-oauth/koa'
import { createMysqlStorage } from '@sp-oauth/mysql'
import { listen } from '@sp-oauth/node-http/test-support'
import { createPostgresStorage } from '@sp-oauth/postgres'
import { useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import express from 'express'
import Koa from 'koa'
import { type Kysely, sql } from 'kysely'
import { describe, expect, it } from 'vitest'

const postgres = usePostgresTestSchema()
const mysql = useMysqlTestDatabase()

interface BrokenDatabase {
  readonly name: string
  /** A migrated storage, and a way to drop its clients table from under it. */
  open(): Promise<{ storage: Storage; breakClients: () => Promise<void> }>
}

const databases: BrokenDatabase[] = [
  {
    name: 'PostgreSQL',
    open: async () => {
      const { db, schema } = postgres()
      const tablePrefix = freshTablePrefix()
      const storage = createPostgresStorage({ db }, { schema, tablePrefix })
      await storage.migrate()
      return { storage, breakClients: () => dropClients(db, `${schema}"."${tablePrefix}clients`) }
    },
  },
  {
    name: 'MariaDB',
    open: async () => {
      const { db } = mysql()
      const tablePrefix = freshTablePrefix()
      const storage = createMysqlStorage({ db }, { tablePrefix })
      await storage.migrate()
      return {
        storage,
        breakClients: async () => {
          await sql`set foreign_key_checks = 0`.execute(db)
          await sql.raw(`drop table \`${tablePrefix}clients\``).execute(db)
          await sql`set foreign_key_checks = 1`.execute(db)
        },
      }
    },
  },
]

async function dropClients(db: Kysely<unknown>, qualified: string): Promise<void> {
  await sql.raw(`drop table "${qualified}" cascade`).execute(db)
}

type Seen = { error: unknown; report: ErrorReport }[]

const adapters = {
  express: (server: ReturnType<typeof createAuthorizationServer>, seen: Seen) => {
    const oauth = createOAuthExpress(server, {
      getUser: () => null,
      login: (_req, res) => {
        res.end()
      },
      renderConsent: (_req, res) => {
        res.end()
      },
      onError: (error, report) => seen.push({ error, report }),
    })
    const app = express()
    app.use(oauth.routes)
    return listen(app)
  },
  koa: (server: ReturnType<typeof createAuthorizationServer>, seen: Seen) => {
    const oauth = createOAuthKoa(server, {
      getUser: () => null,
      login: () => {},
      renderConsent: () => {},
      onError: (error, report) => seen.push({ error, report }),
    })
    const app = new Koa()
    app.use(oauth.routes)
    return listen(app.callback())
  },
}

describe('a broken table reaches onError', () => {
  for (const database of databases) {
    for (const [adapter, start] of Object.entries(adapters)) {
      it(`${database.name}, ${adapter}: POST /token answers 500 and onError gets the database error and the report`, async () => {
        const { storage, breakClients } = await database.open()
        const server = createAuthorizationServer({
          issuer: 'http://127.0.0.1',
          storage,
          crypto: nodeCrypto({ keys: [{ id: 'k1', secret: 'on-error-databases-hash-key-0123456789' }] }),
        })
        const { client, plaintextSecret } = await server.createClient({
          name: 'Broken table',
          redirectUris: [],
          allowedGrants: ['client_credentials'],
          allowedScopes: ['invoices.read'],
          confidential: true,
        })
        await breakClients()
        const seen: Seen = []
        const app = await start(server, seen)
        try {
          const response = await fetch(`${app.origin}/oauth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'broken-1' },
            body: `grant_type=client_credentials&scope=invoices.read&client_id=${client.id}&client_secret=${plaintextSecret}`,
          })
          expect(response.status).toBe(500)
          expect(seen).toHaveLength(1)
          expect(String((seen[0]!.error as Error).message)).toMatch(/clients/)
          expect(seen[0]!.report).toMatchObject({
            route: 'token',
            status: 500,
            clientId: client.id,
            requestId: 'broken-1',
          })
        } finally {
          await app.close()
        }
      })
    }
  }
})
