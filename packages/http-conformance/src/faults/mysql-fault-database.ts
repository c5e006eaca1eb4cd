import { randomBytes } from 'node:crypto'
import { type Connection, createConnection } from 'mysql2/promise'
import type { FaultDatabase } from './database-fault-suite.js'

/**
 * The app on MariaDB/MySQL: a database of its own, and `KILL` of every connection in it (from
 * `information_schema.processlist`) from an admin connection in another database.
 */
export function mysqlFaultDatabase(adapter: FaultDatabase['adapter']): FaultDatabase {
  const url = new URL(process.env.SP_OAUTH_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test')
  const database = `sp_oauth_fault_${randomBytes(5).toString('hex')}`
  let admin: Connection | null = null

  /** The admin connection, in the server's test database: never one of the app's. */
  async function adminConnection(): Promise<Connection> {
    if (admin === null) {
      admin = await createConnection({
        host: url.hostname,
        port: url.port === '' ? 3306 : Number(url.port),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.slice(1) || 'test',
      })
    }
    return admin
  }

  return {
    name: 'MariaDB (mysql2 createPool as the README shows)',
    adapter,
    setUp: async () => {
      await (await adminConnection()).query(`create database \`${database}\``)
      const appUrl = new URL(url)
      appUrl.pathname = `/${database}`
      return { SP_OAUTH_FAULT_DB: 'mysql', SP_OAUTH_FAULT_URL: appUrl.toString() }
    },
    killAppConnections: async () => {
      const connection = await adminConnection()
      const [rows] = await connection.query(
        'select id from information_schema.processlist where db = ? and id <> connection_id()',
        [database],
      )
      let killed = 0
      for (const { id } of rows as { id: number }[]) {
        try {
          await connection.query(`kill ${Number(id)}`)
          killed += 1
        } catch (error) {
          // Gone already (1094: unknown thread id): the app closed it in the meantime.
          if ((error as { errno?: number }).errno !== 1094) throw error
        }
      }
      return killed
    },
    count: async (query) => {
      const sql = query.replace(
        /\{(\w+)\}/g,
        (_all, table: string) => `\`${database}\`.\`sp_oauth_${table}\``,
      )
      const [rows] = await (await adminConnection()).query(sql)
      return Number((rows as { n: unknown }[])[0]?.n)
    },
    tearDown: async () => {
      if (admin === null) return
      try {
        await admin.query(`drop database if exists \`${database}\``)
      } finally {
        await admin.end()
        admin = null
      }
    },
  }
}
