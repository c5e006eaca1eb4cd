// Import files as spreadsheets and hand edits make them (a BOM, CRLF, an unquoted comma, a column
// mislabelled, another encoding, a huge file): a clear error and exit 1, nothing written, never a
// stack trace, and never a cell of the file in what is printed, since a cell may be a secret.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, expectExit, jsonOf, runCli, TEST_HASH_KEY } from './test-support/run-cli.js'

const root = mkdtempSync(join(tmpdir(), 'sp-oauth-cli-import-file-'))
const directory = join(root, 'pglite')
const WITH_KEY = { SP_OAUTH_HASH_KEY: TEST_HASH_KEY }
const SECRET = 'their-current-secret-123'

afterAll(() => rmSync(root, { recursive: true, force: true }))

beforeAll(async () => {
  expectExit(await cli(['migrate', 'up']), 0)
}, 60_000)

function cli(args: readonly string[], options: Parameters<typeof runCli>[1] = {}): Promise<CliRun> {
  return runCli([...args, '--database-url', directory], options)
}

/** Writes `content` to a file of the test's directory and returns its path. */
function file(name: string, content: string | Buffer): string {
  const path = join(root, name)
  writeFileSync(path, content)
  return path
}

/** Nothing the run printed, on either stream, holds `secret`. */
function expectNotPrinted(run: CliRun, secret: string): void {
  expect(run.stdout).not.toContain(secret)
  expect(run.stderr).not.toContain(secret)
}

function expectNoStackTrace(run: CliRun): void {
  expect(run.stderr).not.toMatch(/^\s+at /m)
}

async function clientIds(): Promise<string[]> {
  const list = jsonOf(expectExit(await cli(['clients', 'list', '--include-revoked', '--json']), 0))
  return list.clients.map((client: { id: string }) => client.id)
}

describe('clients import --file', () => {
  it('reports a CSV row whose cells do not line up with the header by its line, without reading a cell of it', async () => {
    // The unquoted comma in the name moves the secret under allowedGrants, which the core would quote.
    const csv = file(
      'shifted.csv',
      `id,name,secret,allowedGrants,confidential\nlegacy-erp,ERP, EU,${SECRET},client_credentials,true\n`,
    )
    const run = expectExit(await cli(['clients', 'import', '--file', csv, '--json'], { env: WITH_KEY }), 1)
    expect(jsonOf(run).error.rows).toEqual([
      {
        index: 0,
        line: 2,
        id: null,
        problems: ['row: has 6 cells, the header 5 (quote a cell that holds a comma)'],
      },
    ])
    expectNotPrinted(run, SECRET)
    expect(await clientIds()).toEqual([])
  })

  it('quotes no cell of a column the header mislabels', async () => {
    const csv = file(
      'swapped.csv',
      `id,name,confidential,secret,allowedGrants\nlegacy-erp,ERP,${SECRET},true,client_credentials\n`,
    )
    const run = expectExit(await cli(['clients', 'import', '--file', csv, '--dry-run']), 1)
    expect(run.stderr).toContain('line 2 (id legacy-erp): confidential: must be true or false')
    expectNotPrinted(run, SECRET)
  })

  it('refuses a quote never closed, naming its line, instead of reading the rest of the file as one cell', async () => {
    const csv = file(
      'unclosed.csv',
      `id,name,confidential,secret\n"legacy-erp,ERP,true,${SECRET}\nother,Other,true,${SECRET}-2\n`,
    )
    const run = expectExit(await cli(['clients', 'import', '--file', csv, '--dry-run', '--json']), 1)
    expect(jsonOf(run).error).toEqual({
      code: 'invalid_input',
      message: expect.stringContaining('unclosed.csv line 2: a cell opened with a quote (") is never closed'),
    })
    expectNotPrinted(run, SECRET)
  })

  it('says where a JSON file is broken without quoting the text around it', async () => {
    const [unexpected, trailing] = await Promise.all([
      cli([
        'clients',
        'import',
        '--dry-run',
        '--file',
        file('broken.json', `[{"id": "x", "secret": ${SECRET}}]`),
      ]),
      cli([
        'clients',
        'import',
        '--dry-run',
        '--file',
        file('trailing.json', `[{"id": "x", "secret": "${SECRET}"}]\n${SECRET}`),
      ]),
    ])
    expect(expectExit(unexpected, 1).stderr).toMatch(/^error: .*broken\.json is not valid JSON: fix it/)
    expect(expectExit(trailing, 1).stderr).toContain('trailing.json is not valid JSON (line 2, column 1)')
    for (const run of [unexpected, trailing]) {
      expectNotPrinted(run, SECRET.slice(0, 10))
      expectNoStackTrace(run)
    }
  })

  it('refuses a file that is not UTF-8 rather than import a garbled name', async () => {
    const latin1 = file(
      'latin1.csv',
      Buffer.from(
        'id,name,confidential,allowedGrants,redirectUris\nlegacy-app,M\xfcller GmbH,false,authorization_code,https://app.example.com/cb\n',
        'latin1',
      ),
    )
    const run = expectExit(await cli(['clients', 'import', '--file', latin1], { env: WITH_KEY }), 1)
    expect(run.stderr).toContain('latin1.csv is not UTF-8 text: save it as UTF-8')
    expect(await clientIds()).toEqual([])
  })

  it('refuses a file larger than 64 MiB before reading it', async () => {
    const huge = file('huge.json', '')
    truncateSync(huge, 64 * 1024 * 1024 + 1)
    const run = expectExit(await cli(['clients', 'import', '--file', huge, '--dry-run']), 1)
    expect(run.stderr).toContain('huge.json is 64 MiB; an import file may hold at most 64 MiB: split it')
    expectNoStackTrace(run)
  })

  it('reads BOM, CRLF and quoted commas, and imports the row', async () => {
    const csv = file(
      'excel.csv',
      `\uFEFFid,name,confidential,secret,allowedGrants,allowedScopes\r\nlegacy-erp,"ERP Connector, EU",true,${SECRET},client_credentials,invoices.read\r\n`,
    )
    const run = expectExit(await cli(['clients', 'import', '--file', csv, '--json'], { env: WITH_KEY }), 0)
    expect(jsonOf(run).imported[0]).toMatchObject({ id: 'legacy-erp', name: 'ERP Connector, EU' })
    expectNotPrinted(run, SECRET)
  })
})
