// The CLI's parsing and help, in this process (no database): every command answers --help with
// examples, and commander's errors become exit 1 with the JSON error document under --json.
import { describe, expect, it } from 'vitest'
import { main } from './main.js'

async function run(argv: readonly string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    env: {},
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    readStdin: async () => '',
  })
  return { code, stdout, stderr }
}

const COMMANDS = [
  ['migrate', 'status'],
  ['migrate', 'up'],
  ['status'],
  ['clients', 'create'],
  ['clients', 'import'],
  ['clients', 'list'],
  ['clients', 'show'],
  ['clients', 'update'],
  ['clients', 'rotate-secret'],
  ['clients', 'revoke'],
  ['keys', 'list'],
  ['keys', 'rotate'],
  ['keys', 'retire'],
  ['keys', 'compromised'],
  ['consents', 'list'],
  ['consents', 'revoke'],
  ['tokens', 'revoke'],
  ['prune'],
]

describe('sp-oauth --help', () => {
  it.each(COMMANDS.map((command) => [command.join(' '), command]))(
    '%s answers --help with its usage, the global options and examples',
    async (_name, command) => {
      const result = await run([...command, '--help'])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`Usage: sp-oauth ${command.join(' ')}`)
      expect(result.stdout).toContain('--database-url <url>')
      expect(result.stdout).toContain(`Examples:\n  $ sp-oauth ${command.join(' ')}`)
      expect(result.stderr).toBe('')
    },
  )

  it('lists every command and the exit codes at the top', async () => {
    const result = await run(['--help'])
    expect(result.code).toBe(0)
    for (const group of ['migrate', 'status', 'clients', 'keys', 'consents', 'tokens', 'prune']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${group}\\b`, 'm'))
    }
    expect(result.stdout).toMatch(/^ {2}4 {2}database migrations pending: run sp-oauth migrate up$/m)
  })
})

describe('usage errors', () => {
  it("exit 1 with commander's message on stderr, and under --json the error document on stdout", async () => {
    const human = await run(['clients', 'frobnicate'])
    expect(human).toMatchObject({ code: 1, stdout: '' })
    expect(human.stderr).toContain("unknown command 'frobnicate'")
    const json = await run(['keys', 'retire', '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'usage', message: "missing required argument 'kid'" },
    })
  })

  it.each([
    [['clients', 'list', '--bogus'], "unknown option '--bogus'"],
    [['clients', 'create', '--grant', 'client_credentials'], "required option '--name <name>' not specified"],
    [['clients', 'list', '--limit', '0'], "option '--limit <n>' argument '0' is invalid"],
    [['prune', '--batch-size', 'x'], "option '--batch-size <rows>' argument 'x' is invalid"],
    [
      ['keys', 'rotate', '--algorithm', 'HS256'],
      "'HS256' is invalid. Allowed choices are ES256, RS256, EdDSA",
    ],
    [['clients'], 'Usage: sp-oauth clients'],
    [
      [
        'clients',
        'update',
        'x',
        '--redirect-uri',
        'https://a.example.com/cb',
        '--add-redirect-uri',
        'https://b.example.com/cb',
      ],
      '--redirect-uri replaces every redirect URI',
    ],
    [['clients', 'update', 'x'], 'nothing to change'],
    [
      ['clients', 'import', '--file', 'c.csv', '--id', 'x'],
      'give the client options (--id, --name, …) without --file',
    ],
    [
      ['clients', 'import', '--id', 'x', '--secret', 'a', '--secret-stdin'],
      '--secret and --secret-stdin: give the secret one way',
    ],
    [['clients', 'import'], 'give --file clients.json|clients.csv, or one client'],
  ])('%j exits 1 before touching any database, saying: %s', async (argv, message) => {
    const result = await run([...argv, '--database-url', 'postgres://127.0.0.1:1/never'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(message)
  })

  it('a command that needs a database says how to name one', async () => {
    const result = await run(['status', '--json'])
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout).error).toEqual({
      code: 'usage',
      message: expect.stringContaining('--database-url <url> or set SP_OAUTH_DATABASE_URL'),
    })
  })
})
