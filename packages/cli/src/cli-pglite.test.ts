// On a PGlite directory laid out like the quickstart's data directory (`<dataDir>/pglite`, its
// generated `hash-key`, its `quickstart.pid` lock): only `migrate up` creates the database, the
// lock of a running quickstart is honoured, and the generated key hashes what the CLI stores.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { createAuthorizationServer } from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createPostgresStorage } from '@sp-oauth/postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { secretWorks } from './test-support/core-fixtures.js'
import {
  CLI,
  CLIENT_FIELDS,
  type CliRun,
  expectExit,
  jsonOf,
  keysOf,
  runCli,
  TEST_HASH_KEY,
} from './test-support/run-cli.js'

const root = mkdtempSync(join(tmpdir(), 'sp-oauth-cli-pglite-'))
const dataDir = join(root, 'data')
const directory = join(dataDir, 'pglite')
const lock = join(dataDir, 'quickstart.pid')
const GENERATED_KEY = 'f'.repeat(64)

afterAll(() => rmSync(root, { recursive: true, force: true }))

function cli(args: readonly string[], database = directory): Promise<CliRun> {
  return runCli([...args, '--database-url', database])
}

/** The id of a process that has ended: a stale lock's. */
function endedProcessId(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!
}

describe('sp-oauth on a PGlite directory', () => {
  it('says a directory that does not exist does not exist, and creates none, except migrate up', async () => {
    const [status, list] = await Promise.all([cli(['status', '--json']), cli(['clients', 'list'])])
    expect(jsonOf(expectExit(status, 3)).error).toEqual({
      code: 'database_unavailable',
      message: expect.stringContaining(`the PGlite database ${directory} does not exist`),
    })
    expect(expectExit(list, 3).stderr).toContain('sp-oauth migrate up')
    expect(existsSync(directory)).toBe(false)
  })

  it("refuses a directory a running quickstart holds, and takes over a stale quickstart's lock", async () => {
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(join(dataDir, 'hash-key'), `${GENERATED_KEY}\n`)
    writeFileSync(lock, `${process.pid}\n`)
    const refused = await cli(['migrate', 'up', '--json'])
    expect(jsonOf(expectExit(refused, 3)).error).toEqual({
      code: 'database_in_use',
      message: expect.stringMatching(
        /the quickstart, or another sp-oauth command, is running on .* \(process \d+\): stop it first/,
      ),
      lockFile: lock,
      pid: process.pid,
    })
    expect(existsSync(directory)).toBe(false)

    writeFileSync(lock, `${endedProcessId()}\n`)
    const up = jsonOf(expectExit(await cli(['migrate', 'up', '--json']), 0))
    expect(up.ran[0]).toBe('0001_initial_schema')
    expect(up.upToDate).toBe(true)
    // Given back when the CLI ended.
    expect(existsSync(lock)).toBe(false)
    expect(existsSync(join(directory, 'PG_VERSION'))).toBe(true)
  })

  it("reports the status, and creates, imports and lists clients with the quickstart's generated hash key", async () => {
    const status = jsonOf(expectExit(await cli(['status', '--json']), 0))
    expect(status).toMatchObject({
      database: { kind: 'pglite', location: `the PGlite database in ${directory}`, reachable: true },
      migrations: { pending: [], upToDate: true },
      signingKeys: { active: null },
      clients: { active: 0, revoked: 0 },
    })
    const create = expectExit(
      await cli([
        'clients',
        'create',
        '--name',
        'On PGlite',
        '--grant',
        'client_credentials',
        '--scope',
        'invoices.read',
        '--json',
      ]),
      0,
    )
    expect(create.stderr).toContain(
      `the quickstart's generated key in ${join(dataDir, 'hash-key')} (key id "generated")`,
    )
    const created = jsonOf(create)
    expect(keysOf(created.client)).toEqual(CLIENT_FIELDS)

    const file = join(root, 'clients.json')
    writeFileSync(
      file,
      JSON.stringify([
        {
          id: 'pglite-legacy',
          name: 'Legacy',
          confidential: true,
          secret: 'legacy-secret-sixteen',
          allowedGrants: ['client_credentials'],
          allowedScopes: ['invoices.read'],
        },
      ]),
    )
    expectExit(await cli(['clients', 'import', '--file', file]), 0)
    const list = jsonOf(expectExit(await cli(['clients', 'list', '--json']), 0))
    expect(list.clients.map((client: { id: string }) => client.id)).toEqual([
      created.client.id,
      'pglite-legacy',
    ])

    // Not a database: the quickstart's data directory itself.
    const wrong = await cli(['status'], dataDir)
    expect(expectExit(wrong, 3).stderr).toContain("it looks like the quickstart's data directory")

    // The quickstart (key id "generated") accepts what the CLI hashed.
    expect(existsSync(lock)).toBe(false)
    const pglite = new PGlite(directory)
    try {
      const server = createAuthorizationServer({
        issuer: 'http://127.0.0.1:3000',
        storage: createPostgresStorage({ pglite }),
        crypto: nodeCrypto({ keys: [{ id: 'generated', secret: GENERATED_KEY }] }),
      })
      expect(await secretWorks(server, { id: created.client.id, secret: created.secret })).toBe(true)
      expect(await secretWorks(server, { id: 'pglite-legacy', secret: 'legacy-secret-sixteen' })).toBe(true)
    } finally {
      await pglite.close()
    }
  })
})

describe('the lock of a PGlite directory', () => {
  const plain = join(root, 'plain')
  const plainLock = join(plain, 'sp-oauth.pid')

  it('refuses a second sp-oauth on a PGlite directory, and takes over the lock a crashed one left', async () => {
    expectExit(await cli(['migrate', 'up'], plain), 0)
    expect(existsSync(plainLock)).toBe(false)

    // Two processes on one PGlite directory lose each other's commits: the second one refuses.
    writeFileSync(plainLock, `${process.pid}\n`)
    const [list, create] = await Promise.all([
      cli(['clients', 'list', '--json'], plain),
      runCli(
        ['clients', 'create', '--name', 'Refused', '--grant', 'client_credentials', '--database-url', plain],
        { env: { SP_OAUTH_HASH_KEY: TEST_HASH_KEY } },
      ),
    ])
    expect(jsonOf(expectExit(list, 3)).error).toEqual({
      code: 'database_in_use',
      message: expect.stringContaining(
        `another sp-oauth command is running on ${plain} (process ${process.pid})`,
      ),
      lockFile: plainLock,
      pid: process.pid,
    })
    expect(expectExit(create, 3).stdout).toBe('')

    writeFileSync(plainLock, `${endedProcessId()}\n`)
    expect(jsonOf(expectExit(await cli(['clients', 'list', '--json'], plain), 0)).clients).toEqual([])
    expect(existsSync(plainLock)).toBe(false)
  })

  it("follows a symbolic link to the quickstart's database: its lock and generated key apply, and it opens", async () => {
    const link = join(root, 'link')
    symlinkSync(directory, link)
    writeFileSync(lock, `${process.pid}\n`)
    const refused = await cli(['status', '--json'], link)
    expect(jsonOf(expectExit(refused, 3)).error).toMatchObject({ code: 'database_in_use', lockFile: lock })

    writeFileSync(lock, `${endedProcessId()}\n`)
    const status = jsonOf(expectExit(await cli(['status', '--json'], link), 0))
    expect(status.database.reachable).toBe(true)
    const create = expectExit(
      await cli(
        ['clients', 'create', '--name', 'Through a link', '--grant', 'client_credentials', '--json'],
        link,
      ),
      0,
    )
    expect(create.stderr).toContain('(key id "generated")')
    expect(existsSync(lock)).toBe(false)
  })

  it('prints no stack trace when the reader of its output goes away, and gives the lock back', async () => {
    const child = spawn(process.execPath, [CLI, 'clients', 'list', '--database-url', plain], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // `sp-oauth clients list | head -1`: the reader is gone before the list is written.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    expect(existsSync(plainLock)).toBe(false)
  })
})
