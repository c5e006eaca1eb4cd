// What an operator types: a database URL of another scheme or with a password, a mistyped option,
// `default` for a client's setting. A clear error and exit 1 for what is wrong, never the password
// or the option's value in what is printed, and the core's word on what a client may be.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, expectExit, jsonOf, runCli, TEST_HASH_KEY } from './test-support/run-cli.js'

const root = mkdtempSync(join(tmpdir(), 'sp-oauth-cli-arguments-'))
const directory = join(root, 'pglite')
const SECRET = 'their-current-secret-123'
let clientId = ''

afterAll(() => rmSync(root, { recursive: true, force: true }))

beforeAll(async () => {
  expectExit(await cli(['migrate', 'up']), 0)
  const created = await cli(
    ['clients', 'create', '--name', 'Nightly sync', '--grant', 'client_credentials', '--json'],
    { env: { SP_OAUTH_HASH_KEY: TEST_HASH_KEY } },
  )
  clientId = jsonOf(expectExit(created, 0)).client.id
}, 60_000)

function cli(args: readonly string[], options: Parameters<typeof runCli>[1] = {}): Promise<CliRun> {
  return runCli([...args, '--database-url', directory], options)
}

/** Nothing the run printed, on either stream, holds `secret`. */
function expectNotPrinted(run: CliRun, secret: string): void {
  expect(run.stdout).not.toContain(secret)
  expect(run.stderr).not.toContain(secret)
}

describe('a database URL', () => {
  it('of another scheme is refused as a usage error: its password is not printed, no directory is made of it', async () => {
    const url = 'mariadb://oauth:s3cret-password@db.example.com/oauth'
    const cwd = join(root, 'cwd')
    mkdirSync(cwd)
    const [up, status] = await Promise.all([
      runCli(['migrate', 'up', '--database-url', url], { cwd }),
      runCli(['status', '--json'], { cwd, env: { SP_OAUTH_DATABASE_URL: url } }),
    ])
    expect(expectExit(up, 1).stderr).toContain(
      'the database URL\'s scheme "mariadb:" is not one sp-oauth opens',
    )
    expect(jsonOf(expectExit(status, 1)).error.code).toBe('usage')
    for (const run of [up, status]) expectNotPrinted(run, 's3cret-password')
    expect(readdirSync(cwd)).toEqual([])
  })

  it('names neither the user nor the password when the server cannot be reached', async () => {
    const runs = await Promise.all([
      runCli(['status', '--json', '--database-url', 'postgres://oauth:s3cret-password@127.0.0.1:1/oauth']),
      runCli(['status', '--database-url', 'mysql://oauth:s3cret-password@127.0.0.1:1/oauth']),
    ])
    for (const run of runs) {
      expect(expectExit(run, 3).stderr).toMatch(/cannot reach (PostgreSQL|MySQL\/MariaDB) at 127\.0\.0\.1:1/)
      expectNotPrinted(run, 's3cret-password')
      expectNotPrinted(run, 'oauth:')
    }
  })

  it('that is a bad file: URL, or names a database in bad percent-encoding, is a clear error, not a bug report', async () => {
    const [fileUrl, encoding] = await Promise.all([
      runCli(['status', '--database-url', 'file://oauth:s3cret-password@host/srv/pglite']),
      runCli(['status', '--database-url', 'postgres://127.0.0.1:1/%zz']),
    ])
    expect(expectExit(fileUrl, 1).stderr).toContain('not a valid file: URL')
    expectNotPrinted(fileUrl, 's3cret-password')
    expect(expectExit(encoding, 3).stderr).toContain('cannot reach PostgreSQL at 127.0.0.1:1')
  })
})

describe('a mistyped option', () => {
  it('is named without its value: --secert=… is not printed back', async () => {
    const runs = await Promise.all([
      runCli(['clients', 'import', '--id', 'x', `--secert=${SECRET}`]),
      runCli(['clients', 'create', '--name', 'x', `--secret=${SECRET}`, '--json']),
    ])
    expect(expectExit(runs[0]!, 1).stderr).toContain("unknown option '--secert=…'")
    expect(jsonOf(expectExit(runs[1]!, 1)).error).toEqual({
      code: 'usage',
      message: "unknown option '--secret=…'",
    })
    for (const run of runs) expectNotPrinted(run, SECRET)
  })
})

describe('clients update', () => {
  it('puts a lifetime and the authentication method back with "default"', async () => {
    const id = clientId
    expectExit(
      await cli([
        'clients',
        'update',
        id,
        '--access-token-ttl-minutes',
        '5',
        '--token-endpoint-auth-method',
        'client_secret_post',
      ]),
      0,
    )
    const reset = jsonOf(
      expectExit(
        await cli([
          'clients',
          'update',
          id,
          '--access-token-ttl-minutes',
          'default',
          '--token-endpoint-auth-method',
          'default',
          '--json',
        ]),
        0,
      ),
    )
    expect(reset.client).toMatchObject({ accessTokenTtlMinutes: null, tokenEndpointAuthMethod: null })
    expect(reset.changed).toEqual(['tokenEndpointAuthMethod', 'accessTokenTtlMinutes'])
  })

  it("leaves which methods and application types exist to the core, showing the core's problem", async () => {
    const run = expectExit(
      await cli([
        'clients',
        'update',
        clientId,
        '--token-endpoint-auth-method',
        'private_key_jwt',
        '--application-type',
        'desktop',
      ]),
      1,
    )
    expect(run.stderr).toContain('applicationType (--application-type): must be one of web, native')
    expect(run.stderr).toContain('tokenEndpointAuthMethod (--token-endpoint-auth-method): must be one of')
  })
})
