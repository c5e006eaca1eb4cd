// What differs on MySQL/MariaDB: connecting from a mysql:// URL, migrations, status, creating,
// listing and importing clients, the table prefix; in a database of this file's own.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import {
  CLIENT_FIELDS,
  type CliRun,
  expectExit,
  jsonOf,
  keysOf,
  runCli,
  TEST_HASH_KEY,
} from './test-support/run-cli.js'

const database = useMysqlTestDatabase()
const WITH_KEY = { SP_OAUTH_HASH_KEY: TEST_HASH_KEY }

/** The URL of this file's database on the test server. */
function url(): string {
  const server = new URL(database().url)
  server.pathname = `/${database().database}`
  return server.toString()
}

/** `sp-oauth args…` on this file's database, the URL from SP_OAUTH_DATABASE_URL, tables prefixed `cli_`. */
function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliRun> {
  return runCli([...args, '--table-prefix', 'cli_'], { env: { SP_OAUTH_DATABASE_URL: url(), ...env } })
}

describe('sp-oauth on MySQL/MariaDB', () => {
  it('runs the migrations, then reports the status; exit 4 before, and the tables carry the prefix', async () => {
    const [pending, list] = await Promise.all([
      cli(['migrate', 'status', '--json']),
      cli(['clients', 'list']),
    ])
    const names = jsonOf(expectExit(pending, 0)).pending as string[]
    expect(names.length).toBeGreaterThan(5)
    expect(jsonOf(pending)).toMatchObject({
      database: expect.stringContaining('MySQL/MariaDB at'),
      applied: [],
    })
    expect(expectExit(list, 4).stderr).toContain('run sp-oauth migrate up')

    expect(jsonOf(expectExit(await cli(['migrate', 'up', '--json']), 0)).ran).toEqual(names)
    const status = jsonOf(expectExit(await cli(['status', '--json']), 0))
    expect(status).toEqual({
      database: { kind: 'mysql', location: expect.stringContaining(database().database), reachable: true },
      migrations: { applied: names.length, pending: [], upToDate: true },
      signingKeys: { active: null, previous: 0, retired: 0, compromised: 0 },
      clients: { active: 0, revoked: 0 },
      problems: [],
    })
    const tables = await sql<{
      name: string
    }>`select table_name as name from information_schema.tables where table_schema = ${database().database}`.execute(
      database().db,
    )
    expect(tables.rows.map((row) => row.name)).toEqual(
      expect.arrayContaining(['cli_clients', 'cli_migration']),
    )
    // Another prefix is another, empty set of tables.
    const other = await runCli(['clients', 'list', '--database-url', url()])
    expect(expectExit(other, 4).stderr).toContain('0001_initial_schema')
  })

  it('creates, lists and imports clients; --schema is refused on MySQL', async () => {
    const created = jsonOf(
      expectExit(
        await cli(
          [
            'clients',
            'create',
            '--name',
            'On MariaDB',
            '--grant',
            'client_credentials',
            '--scope',
            'a b',
            '--json',
          ],
          WITH_KEY,
        ),
        0,
      ),
    )
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(keysOf(created.client)).toEqual(CLIENT_FIELDS)

    const file = join(tmpdir(), `sp-oauth-cli-${process.pid}-mysql.csv`)
    writeFileSync(
      file,
      'id,name,confidential,secret,allowedGrants,allowedScopes\nmy-legacy,"Legacy ""quoted""",true,legacy-secret-of-sixteen,client_credentials,a\n',
    )
    const dry = jsonOf(expectExit(await cli(['clients', 'import', '--file', file, '--dry-run', '--json']), 0))
    expect(dry).toEqual({ dryRun: true, checked: 1, imported: [] })
    const imported = jsonOf(
      expectExit(await cli(['clients', 'import', '--file', file, '--json'], WITH_KEY), 0),
    )
    expect(imported.imported).toEqual([expect.objectContaining({ id: 'my-legacy', name: 'Legacy "quoted"' })])

    const [list, human, schema] = await Promise.all([
      cli(['clients', 'list', '--json']),
      cli(['clients', 'list']),
      cli(['status', '--schema', 'oauth']),
    ])
    expect(jsonOf(expectExit(list, 0)).clients.map((client: { id: string }) => client.id)).toEqual([
      created.client.id,
      'my-legacy',
    ])
    expect(expectExit(human, 0).stdout).toContain('Legacy "quoted"')
    expect(human.stdout).not.toContain(created.secret)
    expect(expectExit(schema, 1).stderr).toContain('--schema is for PostgreSQL')
  })

  it('reports an unreachable MySQL server with exit 3, naming its host', async () => {
    const run = await runCli(['status', '--json', '--database-url', 'mysql://root@127.0.0.1:1/x'])
    expect(jsonOf(expectExit(run, 3)).error).toEqual({
      code: 'database_unavailable',
      message: expect.stringContaining('MySQL/MariaDB at 127.0.0.1:1'),
    })
  })
})
