// The plan MariaDB picks for a page of clients deep into a large table: a range of the
// (created_at, id) index from the cursor's instant, never a scan from the first client.
import { createTestPool, useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { type CompiledQuery, Kysely, MysqlDialect, sql } from 'kysely'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()
const CLIENTS = 20_000

describe('on MariaDB, a page of clients', () => {
  it('is read through the (created_at, id) index, however deep the page', async () => {
    const { poolOptions } = database()
    const statements: CompiledQuery[] = []
    const logged = new Kysely<unknown>({
      dialect: new MysqlDialect({ pool: createTestPool(poolOptions) }),
      log: (event) => {
        statements.push(event.query)
      },
    })
    onTestFinished(() => logged.destroy())
    const tablePrefix = freshTablePrefix()
    const storage = createMysqlStorage({ db: logged }, { tablePrefix })
    await storage.migrate()
    const clients = sql.table(`${tablePrefix}clients`)
    await sql`insert into ${clients} (id, name, redirect_uris, allowed_grants, allowed_scopes, confidential,
        application_type, silent_consent, resource_server, created_at, updated_at)
      select concat('client-', seq), concat('Client ', seq), '[]', '["client_credentials"]', '[]', true, 'web',
        true, false, timestamp '2030-01-01 00:00:00' + interval seq second, now(3)
      from ${sql.raw(`seq_1_to_${CLIENTS}`)}`.execute(logged)
    await sql`analyze table ${clients}`.execute(logged)
    const after = { createdAt: new Date('2030-01-01T04:10:00Z'), id: 'client-15000' }
    statements.length = 0
    const page = await storage.repositories.clients.list!({
      after,
      limit: 51,
      includeRevoked: false,
      search: null,
    })
    expect(page.map((client) => client.id)).toEqual(
      Array.from({ length: 51 }, (_, i) => `client-${15001 + i}`),
    )
    const [statement] = statements
    const { rows } = await logged.executeQuery<{ ANALYZE: string }>({
      ...statement!,
      sql: `analyze format=json ${statement!.sql}`,
    })
    const plan = JSON.stringify(JSON.parse(rows[0]!.ANALYZE))
    expect(plan).toContain(`"key":"${tablePrefix}clients_created"`)
    // Rows read from the table: the page, its look-ahead and the cursor's own row at most.
    const read = [...plan.matchAll(/"r_rows":([\d.]+)/g)].map((match) => Number(match[1]))
    expect(Math.max(...read)).toBeLessThanOrEqual(53)
  })
})
