import { randomBytes } from 'node:crypto'
import { PG_URL_VARIABLE } from '@sp-oauth/storage-test-support/postgres-test-schema'
import pg from 'pg'
import type { FaultDatabase } from './database-fault-suite.js'

/**
 * The app on PostgreSQL: a schema of its own, its connections named by an `application_name` in
 * the URL, and `pg_terminate_backend` on exactly those from an admin connection.
 */
export function postgresFaultDatabase(adapter: FaultDatabase['adapter']): FaultDatabase {
  const url = process.env[PG_URL_VARIABLE] || 'postgres://postgres@127.0.0.1:5432/test'
  const name = `sp_oauth_fault_${randomBytes(5).toString('hex')}`
  let admin: pg.Client | null = null

  /** The admin connection (not the app's): its own application_name, so it never kills itself. */
  async function adminClient(): Promise<pg.Client> {
    if (admin === null) {
      admin = new pg.Client({ connectionString: url })
      await admin.connect()
    }
    return admin
  }

  return {
    name: 'PostgreSQL (pg.Pool as the README shows)',
    adapter,
    setUp: async () => {
      await adminClient()
      const appUrl = new URL(url)
      // Names the app's connections, so the test kills exactly those.
      appUrl.searchParams.set('application_name', name)
      return {
        SP_OAUTH_FAULT_DB: 'postgres',
        SP_OAUTH_FAULT_URL: appUrl.toString(),
        SP_OAUTH_FAULT_SCHEMA: name,
      }
    },
    killAppConnections: async () => {
      const { rows } = await (await adminClient()).query<{ terminated: boolean }>(
        `select pg_terminate_backend(pid, 5000) as terminated from pg_stat_activity
         where application_name = $1 and pid <> pg_backend_pid()`,
        [name],
      )
      return rows.filter((row) => row.terminated).length
    },
    count: async (query) => {
      const sql = query.replace(/\{(\w+)\}/g, (_all, table: string) => `"${name}"."sp_oauth_${table}"`)
      const { rows } = await (await adminClient()).query<{ n: string }>(sql)
      return Number(rows[0]?.n)
    },
    tearDown: async () => {
      if (admin === null) return
      try {
        await admin.query(`drop schema if exists "${name}" cascade`)
      } finally {
        await admin.end()
        admin = null
      }
    },
  }
}
