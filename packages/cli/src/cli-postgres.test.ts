// Every command of `sp-oauth` on PostgreSQL, run as an operator runs it: the built binary, in a
// schema of this file's own.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPostgresStorage } from '@sp-oauth/postgres'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { REDIRECT_URI, secretWorks, serverOn, signIn } from './test-support/core-fixtures.js'
import {
  CLIENT_FIELDS,
  type CliRun,
  expectExit,
  ISO_DATE,
  jsonOf,
  keysOf,
  runCli,
  TEST_HASH_KEY,
} from './test-support/run-cli.js'

const database = usePostgresTestSchema()
const WITH_KEY = { SP_OAUTH_HASH_KEY: TEST_HASH_KEY }
const SECRET = /^[0-9a-f]{64}$/

/** `sp-oauth args… --database-url <test database> --schema <this file's>`. */
function cli(args: readonly string[], options: Parameters<typeof runCli>[1] = {}): Promise<CliRun> {
  return runCli([...args, '--database-url', database().url, '--schema', database().schema], options)
}

/** The core's facade on the same tables, as the authorization server would run. */
function coreServer(clock?: { now(): Date }) {
  const storage = createPostgresStorage({ db: database().db }, { schema: database().schema })
  return serverOn(storage, clock ? { clock } : {})
}

async function createClient(
  name: string,
  extra: readonly string[] = [],
): Promise<{ id: string; secret: string }> {
  const run = expectExit(
    await cli(
      [
        'clients',
        'create',
        '--name',
        name,
        '--redirect-uri',
        REDIRECT_URI,
        '--grant',
        'authorization_code refresh_token client_credentials',
        '--scope',
        'invoices.read',
        '--json',
        ...extra,
      ],
      { env: WITH_KEY },
    ),
    0,
  )
  const document = jsonOf(run)
  return { id: document.client.id, secret: document.secret }
}

describe('sp-oauth on PostgreSQL', () => {
  it('refuses every command but migrate and status while migrations are pending (exit 4), then migrate up runs them once', async () => {
    const [migrations, status, list, keys] = await Promise.all([
      cli(['migrate', 'status', '--json']),
      cli(['status', '--json']),
      cli(['clients', 'list', '--json']),
      cli(['keys', 'list']),
    ])
    const pending = jsonOf(expectExit(migrations, 0)).pending as string[]
    expect(jsonOf(migrations)).toEqual({
      database: expect.stringContaining(`schema ${database().schema}`),
      applied: [],
      pending,
      upToDate: false,
    })
    expect(pending[0]).toBe('0001_initial_schema')
    expect(jsonOf(expectExit(status, 0))).toEqual({
      database: { kind: 'postgres', location: expect.stringContaining('PostgreSQL at'), reachable: true },
      migrations: { applied: 0, pending, upToDate: false },
      signingKeys: null,
      clients: null,
      problems: [],
    })
    expect(jsonOf(expectExit(list, 4))).toEqual({
      error: { code: 'migrations_pending', message: expect.stringContaining('sp-oauth migrate up'), pending },
    })
    expect(expectExit(keys, 4).stderr).toMatch(
      /migration\(s\) not yet run \(0001_initial_schema, .*run sp-oauth migrate up/,
    )

    const up = jsonOf(expectExit(await cli(['migrate', 'up', '--json']), 0))
    expect(up).toEqual({ database: expect.any(String), ran: pending, pending: [], upToDate: true })
    const again = expectExit(await cli(['migrate', 'up']), 0)
    expect(again.stdout).toContain('Nothing to run')
    const applied = jsonOf(expectExit(await cli(['migrate', 'status', '--json']), 0))
    expect(applied.applied.map((migration: { name: string }) => migration.name)).toEqual(pending)
    expect(applied.applied[0].executedAt).toMatch(ISO_DATE)
    expect(applied).toMatchObject({ pending: [], upToDate: true })
  })

  it('reports an unreachable database with exit 3, naming its host', async () => {
    const [json, human] = await Promise.all([
      runCli(['status', '--json', '--database-url', 'postgres://127.0.0.1:1/x']),
      runCli(['clients', 'list', '--database-url', 'postgres://127.0.0.1:1/x']),
    ])
    expect(jsonOf(expectExit(json, 3))).toEqual({
      error: { code: 'database_unavailable', message: expect.stringContaining('PostgreSQL at 127.0.0.1:1') },
    })
    expect(expectExit(human, 3).stderr).toMatch(
      /^error: cannot reach PostgreSQL at 127\.0\.0\.1:1.*check the database URL/,
    )
    expect(human.stdout).toBe('')
  })

  it('creates a client and shows its secret once: the secret works, and no list or show prints it', async () => {
    const human = expectExit(
      await cli(
        [
          'clients',
          'create',
          '--name',
          'ERP Connector',
          '--grant',
          'client_credentials',
          '--scope',
          'invoices.read',
        ],
        { env: WITH_KEY },
      ),
      0,
    )
    expect(human.stdout).toContain('shown only now')
    const humanSecret = /^ {2}([0-9a-f]{64})$/m.exec(human.stdout)?.[1]
    const humanId = /^Created client (\S+) \(ERP Connector\):/m.exec(human.stdout)?.[1]
    expect(humanSecret).toMatch(SECRET)
    expect(human.stderr).toContain('hashing with SP_OAUTH_HASH_KEY (key id "env")')

    const created = jsonOf(
      expectExit(
        await cli(
          [
            'clients',
            'create',
            '--name',
            'Mobile',
            '--public',
            '--application-type',
            'native',
            '--redirect-uri',
            'http://127.0.0.1/cb',
            '--grant',
            'authorization_code',
            '--json',
          ],
          { env: WITH_KEY },
        ),
        0,
      ),
    )
    expect(keysOf(created)).toEqual(['client', 'secret'])
    expect(created.secret).toBeNull()
    expect(keysOf(created.client)).toEqual(CLIENT_FIELDS)
    expect(created.client).toMatchObject({
      name: 'Mobile',
      confidential: false,
      applicationType: 'native',
      tokenEndpointAuthMethod: 'none',
      silentConsent: false,
      revokedAt: null,
    })
    expect(created.client.createdAt).toMatch(ISO_DATE)

    // Hashed under the key id the server uses: the server accepts the secret.
    expect(await secretWorks(coreServer(), { id: humanId!, secret: humanSecret! })).toBe(true)

    const [list, show, humanList] = await Promise.all([
      cli(['clients', 'list', '--json']),
      cli(['clients', 'show', humanId!, '--json']),
      cli(['clients', 'list']),
    ])
    const listed = jsonOf(expectExit(list, 0))
    expect(keysOf(listed)).toEqual(['clients', 'nextCursor'])
    expect(listed.clients.map((client: { id: string }) => client.id)).toEqual(
      expect.arrayContaining([humanId, created.client.id]),
    )
    for (const client of listed.clients) expect(keysOf(client)).toEqual(CLIENT_FIELDS)
    expect(keysOf(jsonOf(expectExit(show, 0)))).toEqual(['client'])
    expect(jsonOf(show).client).toMatchObject({ id: humanId, name: 'ERP Connector', confidential: true })
    expect(expectExit(humanList, 0).stdout).toMatch(/^ID +NAME +TYPE +GRANTS +SCOPES +CREATED +STATUS$/m)
    for (const run of [list, show, humanList]) {
      expect(run.stdout).not.toContain(humanSecret)
      expect(run.stdout).not.toMatch(/secret/i)
    }
  })

  it('without a hash key, a command that hashes exits 5 and stores nothing; the others need none', async () => {
    const before = jsonOf(
      expectExit(await cli(['clients', 'list', '--json', '--include-revoked']), 0),
    ).clients
    const [create, json, rotate, short, badList] = await Promise.all([
      cli(['clients', 'create', '--name', 'No key', '--grant', 'client_credentials']),
      cli(['clients', 'create', '--name', 'No key', '--grant', 'client_credentials', '--json']),
      cli(['keys', 'rotate']),
      cli(['clients', 'create', '--name', 'Short', '--grant', 'client_credentials'], {
        env: { SP_OAUTH_HASH_KEY: 'too-short' },
      }),
      cli(['clients', 'create', '--name', 'Bad list', '--grant', 'client_credentials'], {
        env: { SP_OAUTH_HASH_KEYS: 'k1' },
      }),
    ])
    expect(expectExit(create, 5).stderr).toMatch(/SP_OAUTH_HASH_KEY.*SP_OAUTH_HASH_KEYS/)
    expect(jsonOf(expectExit(json, 5))).toEqual({
      error: { code: 'configuration', message: expect.stringContaining('SP_OAUTH_HASH_KEY') },
    })
    expect(expectExit(rotate, 5).stderr).toContain('SP_OAUTH_HASH_KEY')
    expect(expectExit(short, 5).stderr).toContain('SP_OAUTH_HASH_KEY is 9 characters long')
    expect(expectExit(badList, 5).stderr).toContain('SP_OAUTH_HASH_KEYS entry 1')
    const after = jsonOf(expectExit(await cli(['clients', 'list', '--json', '--include-revoked']), 0)).clients
    expect(after).toEqual(before)
    const keys = jsonOf(expectExit(await cli(['keys', 'list', '--json']), 0))
    expect(keys).toEqual({ keys: [] })
  })

  it('exits 1 on invalid input, naming the option or field, and on a usage error', async () => {
    const [invalid, invalidJson, unknownJson] = await Promise.all([
      cli(
        [
          'clients',
          'create',
          '--name',
          'Bad',
          '--grant',
          'refresh_token',
          '--redirect-uri',
          'http://example.com/cb',
        ],
        {
          env: WITH_KEY,
        },
      ),
      cli(['clients', 'create', '--name', '', '--grant', 'client_credentials', '--public', '--json'], {
        env: WITH_KEY,
      }),
      cli(['clients', 'list', '--bogus', '--json']),
    ])
    expect(expectExit(invalid, 1).stderr).toMatch(
      /^error: invalid client: allowedGrants \(--grant\): refresh_token needs authorization_code; redirectUris\[0\] \(--redirect-uri\): must use https/m,
    )
    expect(jsonOf(expectExit(invalidJson, 1))).toEqual({
      error: {
        code: 'invalid_input',
        message: expect.stringContaining('name (--name)'),
        problems: expect.arrayContaining([
          expect.stringMatching(/^name: /),
          'allowedGrants: client_credentials needs a confidential client',
        ]),
      },
    })
    expect(jsonOf(expectExit(unknownJson, 1))).toEqual({
      error: { code: 'usage', message: expect.stringContaining("unknown option '--bogus'") },
    })
    expect(unknownJson.stderr).toContain("error: unknown option '--bogus'")
  })

  it('updates, rotates and revokes a client; an unknown client exits 2 with its id', async () => {
    const client = await createClient('Lifecycle')
    const update = jsonOf(
      expectExit(
        await cli([
          'clients',
          'update',
          client.id,
          '--name',
          'Lifecycle (EU)',
          '--add-redirect-uri',
          'https://client.example.com/second',
          '--remove-redirect-uri',
          REDIRECT_URI,
          '--token-endpoint-auth-method',
          'client_secret_post',
          '--access-token-ttl-minutes',
          '15',
          '--json',
        ]),
        0,
      ),
    )
    expect(update.changed).toEqual([
      'name',
      'redirectUris',
      'tokenEndpointAuthMethod',
      'accessTokenTtlMinutes',
    ])
    expect(update.client).toMatchObject({
      name: 'Lifecycle (EU)',
      redirectUris: ['https://client.example.com/second'],
      tokenEndpointAuthMethod: 'client_secret_post',
      accessTokenTtlMinutes: 15,
    })
    const [badUpdate, badRemove] = await Promise.all([
      cli(['clients', 'update', client.id, '--token-endpoint-auth-method', 'none']),
      cli(['clients', 'update', client.id, '--remove-redirect-uri', 'https://nowhere.example.com/cb']),
    ])
    expect(expectExit(badUpdate, 1).stderr).toContain(
      'tokenEndpointAuthMethod (--token-endpoint-auth-method)',
    )
    expect(expectExit(badRemove, 1).stderr).toContain('has no redirect URI https://nowhere.example.com/cb')

    const rotated = jsonOf(
      expectExit(await cli(['clients', 'rotate-secret', client.id, '--json'], { env: WITH_KEY }), 0),
    )
    expect(rotated).toEqual({ clientId: client.id, secret: expect.stringMatching(SECRET) })
    expect(rotated.secret).not.toBe(client.secret)
    const server = coreServer()
    expect(await secretWorks(server, { id: client.id, secret: rotated.secret })).toBe(true)
    expect(await secretWorks(server, client)).toBe(false)

    // With --outbox the change's events go to the outbox table, as on a server with outbox: true.
    const revoked = jsonOf(expectExit(await cli(['clients', 'revoke', client.id, '--json', '--outbox']), 0))
    expect(keysOf(revoked)).toEqual(['client', 'revoked'])
    expect(revoked.revoked).toBe(true)
    expect(revoked.client.revokedAt).toMatch(ISO_DATE)
    const outbox = await sql<{ type: string }>`select type from ${sql.table(
      `${database().schema}.sp_oauth_event_outbox`,
    )} where aggregate_id = ${`client:${client.id}`}`.execute(database().db)
    expect(outbox.rows.map((row) => row.type)).toEqual(['OAuthClientRevoked'])
    const [again, active, all, updateRevoked, rotateRevoked] = await Promise.all([
      cli(['clients', 'revoke', client.id, '--json']),
      cli(['clients', 'list', '--json']),
      cli(['clients', 'list', '--json', '--include-revoked']),
      cli(['clients', 'update', client.id, '--name', 'Back']),
      cli(['clients', 'rotate-secret', client.id], { env: WITH_KEY }),
    ])
    expect(jsonOf(expectExit(again, 0)).revoked).toBe(false)
    const ids = (run: CliRun) => jsonOf(run).clients.map((listed: { id: string }) => listed.id)
    expect(ids(expectExit(active, 0))).not.toContain(client.id)
    expect(ids(expectExit(all, 0))).toContain(client.id)
    expect(expectExit(updateRevoked, 1).stderr).toContain('is revoked')
    expect(expectExit(rotateRevoked, 1).stderr).toContain('is revoked')

    const unknown = 'no-such-client'
    const runs = await Promise.all([
      cli(['clients', 'show', unknown, '--json']),
      cli(['clients', 'update', unknown, '--name', 'X', '--json']),
      cli(['clients', 'rotate-secret', unknown, '--json'], { env: WITH_KEY }),
      cli(['clients', 'revoke', unknown, '--json']),
      cli(['tokens', 'revoke', '--user', 'u', '--client', unknown, '--json']),
    ])
    for (const run of runs) {
      expect(jsonOf(expectExit(run, 2))).toEqual({
        error: {
          code: 'not_found',
          message: `no client has the id "${unknown}": see sp-oauth clients list`,
          clientId: unknown,
        },
      })
    }
  })

  it('lists a page at a time: search, limit, cursor, and --all following every page', async () => {
    for (const name of ['Paged A', 'Paged B', 'Paged C']) await createClient(name)
    const first = jsonOf(
      expectExit(await cli(['clients', 'list', '--search', 'paged', '--limit', '2', '--json']), 0),
    )
    expect(first.clients.map((client: { name: string }) => client.name)).toEqual(['Paged A', 'Paged B'])
    expect(first.nextCursor).toEqual(expect.any(String))
    const [second, all, human] = await Promise.all([
      cli(['clients', 'list', '--search', 'paged', '--limit', '2', '--cursor', first.nextCursor, '--json']),
      cli(['clients', 'list', '--search', 'PAGED', '--limit', '1', '--all', '--json']),
      cli(['clients', 'list', '--search', 'paged', '--limit', '2']),
    ])
    expect(jsonOf(expectExit(second, 0))).toEqual({
      clients: [expect.objectContaining({ name: 'Paged C' })],
      nextCursor: null,
    })
    expect(jsonOf(expectExit(all, 0)).clients.map((client: { name: string }) => client.name)).toEqual([
      'Paged A',
      'Paged B',
      'Paged C',
    ])
    expect(jsonOf(all).nextCursor).toBeNull()
    expect(expectExit(human, 0).stdout).toContain(
      `More clients: sp-oauth clients list --cursor ${first.nextCursor}`,
    )
  })

  it('imports from CSV and JSON: a dry run writes nothing, a bad row imports nothing, the secrets work', async () => {
    const directory = tmpdir()
    const csv = join(directory, `sp-oauth-cli-${process.pid}-clients.csv`)
    const good = [
      'id,name,confidential,secret,redirectUris,allowedGrants,allowedScopes,createdAt',
      `pg-legacy-1,"ERP, old",true,legacy-secret-of-sixteen-plus,${REDIRECT_URI},authorization_code refresh_token client_credentials,invoices.read invoices.write,2020-05-01T10:00:00Z`,
      `pg-legacy-2,Mobile old,false,,http://127.0.0.1/cb,authorization_code,invoices.read,`,
    ]
    writeFileSync(csv, `${good.join('\n')}\n`)
    const dry = jsonOf(expectExit(await cli(['clients', 'import', '--file', csv, '--dry-run', '--json']), 0))
    expect(dry).toEqual({ dryRun: true, checked: 2, imported: [] })
    expectExit(await cli(['clients', 'show', 'pg-legacy-1']), 2)

    writeFileSync(
      csv,
      `${[...good, 'pg-legacy-3,Bad,maybe,,http://x.example.com/cb,refresh_token,,'].join('\n')}\n`,
    )
    const bad = await cli(['clients', 'import', '--file', csv, '--json'], { env: WITH_KEY })
    expect(jsonOf(expectExit(bad, 1))).toEqual({
      error: {
        code: 'invalid_input',
        message: expect.stringContaining('1 of 3 client(s)'),
        rows: [
          {
            index: 2,
            line: 4,
            id: 'pg-legacy-3',
            problems: [
              'confidential: must be true or false',
              'allowedGrants: refresh_token needs authorization_code',
              'redirectUris[0]: must use https (http is allowed only on loopback hosts)',
            ],
          },
        ],
      },
    })
    expect(bad.stderr).toContain('line 4 (id pg-legacy-3): confidential: must be true or false')
    expectExit(await cli(['clients', 'show', 'pg-legacy-1']), 2)

    writeFileSync(csv, `${good.join('\r\n')}\r\n`)
    const imported = expectExit(
      await cli(['clients', 'import', '--file', csv, '--json'], { env: WITH_KEY }),
      0,
    )
    const document = jsonOf(imported)
    expect(keysOf(document)).toEqual(['checked', 'dryRun', 'imported'])
    expect(document.imported.map((client: { id: string }) => client.id)).toEqual([
      'pg-legacy-1',
      'pg-legacy-2',
    ])
    expect(document.imported[0]).toMatchObject({ name: 'ERP, old', createdAt: '2020-05-01T10:00:00.000Z' })
    expect(imported.stdout).not.toContain('legacy-secret-of-sixteen-plus')
    expect(
      await secretWorks(coreServer(), { id: 'pg-legacy-1', secret: 'legacy-secret-of-sixteen-plus' }),
    ).toBe(true)

    const json = join(directory, `sp-oauth-cli-${process.pid}-clients.json`)
    const row = {
      id: 'pg-json-1',
      name: 'J',
      confidential: false,
      allowedGrants: ['authorization_code'],
      redirectUris: ['http://127.0.0.1/cb'],
    }
    writeFileSync(json, JSON.stringify([row, row, { ...row, id: 'pg-legacy-2' }]))
    const duplicate = jsonOf(
      expectExit(await cli(['clients', 'import', '--file', json, '--json'], { env: WITH_KEY }), 1),
    )
    expect(duplicate.error.rows).toEqual([
      {
        index: 1,
        line: null,
        id: 'pg-json-1',
        problems: ['id: already used by client 1 (id pg-json-1) of this file'],
      },
      { index: 2, line: null, id: 'pg-legacy-2', problems: ['id: a client with this id already exists'] },
    ])
    expectExit(await cli(['clients', 'show', 'pg-json-1']), 2)

    const single = await cli(
      [
        'clients',
        'import',
        '--id',
        'pg-single',
        '--secret-stdin',
        '--name',
        'Single',
        '--grant',
        'client_credentials',
        '--scope',
        'invoices.read',
        '--json',
      ],
      { env: WITH_KEY, stdin: 'single-secret-sixteen-chars\n' },
    )
    expect(jsonOf(expectExit(single, 0)).imported[0]).toMatchObject({ id: 'pg-single', confidential: true })
    expect(await secretWorks(coreServer(), { id: 'pg-single', secret: 'single-secret-sixteen-chars' })).toBe(
      true,
    )
    const badSingle = await cli(
      [
        'clients',
        'import',
        '--id',
        'pg-single-2',
        '--secret',
        'short',
        '--name',
        'S',
        '--grant',
        'client_credentials',
      ],
      {
        env: WITH_KEY,
      },
    )
    expect(expectExit(badSingle, 1).stderr).toContain(
      'secret (--secret): a confidential client needs its secret',
    )
  })

  it('rotates, lists, retires and marks compromised signing keys; an unknown kid exits 2', async () => {
    const first = jsonOf(expectExit(await cli(['keys', 'rotate', '--json'], { env: WITH_KEY }), 0))
    expect(keysOf(first)).toEqual(['key', 'previous'])
    expect(first.key).toEqual({
      kid: expect.any(String),
      algorithm: 'ES256',
      state: 'active',
      createdAt: expect.stringMatching(ISO_DATE),
    })
    const second = jsonOf(
      expectExit(await cli(['keys', 'rotate', '--algorithm', 'RS256', '--json'], { env: WITH_KEY }), 0),
    )
    expect(second.key.algorithm).toBe('RS256')
    expect(second.previous).toEqual([{ ...first.key, state: 'previous' }])
    const list = jsonOf(expectExit(await cli(['keys', 'list', '--json']), 0))
    expect(list.keys.map((key: { kid: string; state: string }) => [key.kid, key.state])).toEqual([
      [second.key.kid, 'active'],
      [first.key.kid, 'previous'],
    ])
    const status = jsonOf(expectExit(await cli(['status', '--json']), 0))
    expect(status.signingKeys).toEqual({
      active: {
        kid: second.key.kid,
        algorithm: 'RS256',
        createdAt: second.key.createdAt,
        ageSeconds: expect.any(Number),
      },
      previous: 1,
      retired: 0,
      compromised: 0,
    })

    const [retired, compromised, unknown, human] = await Promise.all([
      cli(['keys', 'retire', first.key.kid, '--json']),
      cli(['keys', 'compromised', second.key.kid, '--json']),
      cli(['keys', 'retire', 'no-such-kid', '--json']),
      cli(['keys', 'compromised', 'no-such-kid']),
    ])
    expect(jsonOf(expectExit(retired, 0))).toEqual({
      key: { ...first.key, state: 'retired' },
      previousState: 'previous',
    })
    expect(jsonOf(expectExit(compromised, 0))).toEqual({
      key: { ...second.key, state: 'compromised' },
      previousState: 'active',
    })
    expect(jsonOf(expectExit(unknown, 2))).toEqual({
      error: { code: 'not_found', message: expect.stringContaining('no-such-kid'), kid: 'no-such-kid' },
    })
    expect(expectExit(human, 2).stderr).toContain('no signing key has the kid "no-such-kid"')
    expect(expectExit(await cli(['keys', 'list']), 0).stdout).toMatch(
      /^KID +ALGORITHM +STATE +CREATED +AGE$/m,
    )
  })

  it("lists and revokes a user's consents, and revokes the user's tokens", async () => {
    const client = await createClient('Consented')
    const server = coreServer()
    await signIn(server, client, 'user-42')
    const listed = jsonOf(expectExit(await cli(['consents', 'list', '--user', 'user-42', '--json']), 0))
    expect(listed).toEqual({
      userId: 'user-42',
      consents: [
        {
          clientId: client.id,
          clientName: 'Consented',
          scopes: ['invoices.read'],
          createdAt: expect.stringMatching(ISO_DATE),
          updatedAt: expect.stringMatching(ISO_DATE),
        },
      ],
    })
    const [human, none, badUser] = await Promise.all([
      cli(['consents', 'list', '--user', 'user-42']),
      cli(['consents', 'list', '--user', 'nobody']),
      cli(['consents', 'list', '--user', 'bad\u0001user']),
    ])
    expect(expectExit(human, 0).stdout).toMatch(/^CLIENT ID +CLIENT NAME +SCOPES +SINCE +CHANGED$/m)
    expect(expectExit(none, 0).stdout).toContain('User nobody has no remembered consent.')
    expect(expectExit(badUser, 1).stderr).toContain('--user: ')

    const tokens = jsonOf(
      expectExit(await cli(['tokens', 'revoke', '--user', 'user-42', '--client', client.id, '--json']), 0),
    )
    expect(tokens).toEqual({
      userId: 'user-42',
      clientId: client.id,
      revoked: { authorizationCodes: 0, accessTokens: 1, refreshTokens: 1, consents: 0 },
    })
    expect(expectExit(await cli(['tokens', 'revoke', '--user', 'user-42']), 0).stdout).toMatch(
      /access tokens +0/,
    )

    const revoked = jsonOf(
      expectExit(await cli(['consents', 'revoke', '--user', 'user-42', '--client', client.id, '--json']), 0),
    )
    expect(revoked).toEqual({ userId: 'user-42', clientId: client.id, revoked: true })
    const again = await cli(['consents', 'revoke', '--user', 'user-42', '--client', client.id, '--json'])
    expect(jsonOf(expectExit(again, 2)).error).toMatchObject({
      code: 'not_found',
      userId: 'user-42',
      clientId: client.id,
    })

    await signIn(server, client, 'user-43')
    const everything = jsonOf(
      expectExit(await cli(['tokens', 'revoke', '--user', 'user-43', '--with-consent', '--json']), 0),
    )
    expect(everything.revoked).toEqual({
      authorizationCodes: 0,
      accessTokens: 1,
      refreshTokens: 1,
      consents: 1,
    })
    expect(
      jsonOf(expectExit(await cli(['consents', 'list', '--user', 'user-43', '--json']), 0)).consents,
    ).toEqual([])
  })

  it('prunes expired rows table by table, with progress on stderr and the counts at the end', async () => {
    const client = await createClient('Pruned')
    const fortyDaysAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000)
    const past = coreServer({ now: () => new Date(fortyDaysAgo) })
    expect(await secretWorks(past, client)).toBe(true)
    expect(await secretWorks(past, client)).toBe(true)

    const run = expectExit(await cli(['prune', '--batch-size', '1', '--json']), 0)
    expect(jsonOf(run)).toEqual({
      batchSize: 1,
      deleted: {
        authorizationCodes: 0,
        refreshTokens: 0,
        accessTokens: 2,
        eventOutbox: 0,
        consentTickets: 0,
      },
      total: 2,
    })
    expect(run.stderr).toMatch(/^ {2}access tokens: 2 deleted \(\d+\.\d s\)$/m)
    expect(run.stderr).toMatch(/^ {2}authorization codes: 0 deleted/m)
    const again = expectExit(await cli(['prune']), 0)
    expect(again.stdout).toMatch(/^Deleted 0 row\(s\):$/m)
  })

  it('answers --help as a process: exit 0, usage on stdout, the exit codes documented', async () => {
    const [top, create] = await Promise.all([runCli(['--help']), runCli(['clients', 'create', '--help'])])
    expect(expectExit(top, 0).stdout).toContain('Usage: sp-oauth [options] [command]')
    expect(top.stdout).toContain('Exit codes:')
    expect(expectExit(create, 0).stdout).toContain('Usage: sp-oauth clients create [options]')
    expect(create.stdout).toContain('$ sp-oauth clients create --name')
    expect(create.stderr).toBe('')
  })
})
