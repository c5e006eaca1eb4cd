// DATABASE_URL switches the quickstart from its embedded database to a PostgreSQL or MySQL server:
// the tables are created there, and the same demo runs (clients found again on a restart).
import { randomUUID } from 'node:crypto'
import { createConnection } from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSettings } from '../src/settings.mjs'
import { bannerValue, clientCredentials, startInProcess, temporaryDir } from './helpers.mjs'

const PG_URL = process.env.SP_OAUTH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const MYSQL_URL = process.env.SP_OAUTH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'
const HEX_SECRET = /\b[0-9a-f]{64}\b/

/**
 * A database of this run's own on the server `url` names; `drop` removes it.
 *
 * @param {string} kind
 * @param {string} url
 * @returns {Promise<{ url: string, drop: () => Promise<void> }>}
 */
async function freshDatabase(kind, url) {
  const name = `sp_oauth_qs_${randomUUID().replaceAll('-', '').slice(0, 12)}`
  const own = new URL(url)
  own.pathname = `/${name}`
  if (kind === 'postgres') {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    return {
      url: own.toString(),
      drop: async () => {
        const client = new pg.Client({ connectionString: url })
        await client.connect()
        await client.query(`drop database if exists ${name} with (force)`)
        await client.end()
      },
    }
  }
  const admin = await createConnection(url)
  await admin.query(`create database ${name}`)
  await admin.end()
  return {
    url: own.toString(),
    drop: async () => {
      const connection = await createConnection(url)
      await connection.query(`drop database if exists ${name}`)
      await connection.end()
    },
  }
}

describe.each([
  ['postgres', PG_URL],
  ['mysql', MYSQL_URL],
])('DATABASE_URL on %s', (kind, serverUrl) => {
  const data = temporaryDir()
  /** @type {{ url: string, drop: () => Promise<void> } | undefined} */
  let database
  beforeAll(async () => {
    database = await freshDatabase(kind, serverUrl)
  })
  afterAll(async () => {
    await database?.drop()
    data.remove()
  })

  it('creates the tables there, runs the demo, and finds its clients again on the next start', async () => {
    const databaseUrl = /** @type {{ url: string }} */ (database).url
    const first = await startInProcess({ dataDir: data.dir, databaseUrl })
    /** @type {string | null} */
    let erpId = null
    try {
      expect(first.text).toContain(`Opening the ${kind === 'mysql' ? 'MySQL' : 'PostgreSQL'} database`)
      erpId = bannerValue(first.lines, 'client id', 'ERP Connector')
      const secret = HEX_SECRET.exec(first.text)?.[0]
      expect(secret).toBeTruthy()
      const token = await clientCredentials(
        `${first.quickstart.url}/oauth/token`,
        String(erpId),
        String(secret),
        'invoices.read',
      )
      expect(token.status).toBe(200)
    } finally {
      await first.quickstart.close()
    }
    const second = await startInProcess({ dataDir: data.dir, databaseUrl })
    try {
      expect(bannerValue(second.lines, 'client id', 'ERP Connector')).toBe(erpId)
      expect(second.text).not.toMatch(HEX_SECRET)
    } finally {
      await second.quickstart.close()
    }
  })
})

describe('DATABASE_URL settings', () => {
  it('reads it, and refuses a URL that names no database server it knows', () => {
    expect(readSettings({ DATABASE_URL: 'postgresql://db/app' }).databaseUrl).toBe('postgresql://db/app')
    expect(readSettings({}).databaseUrl).toBeNull()
    expect(() => readSettings({ DATABASE_URL: 'sqlite:///tmp/x' })).toThrow(/DATABASE_URL must start with/)
  })
})
