// Runs the built `sp-oauth` as a child process, as an operator's shell would: the tests see only
// its exit code, stdout and stderr.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))

/** What one run of the CLI left. */
export interface CliRun {
  readonly args: readonly string[]
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A hash key of the test servers (at least 32 characters). */
export const TEST_HASH_KEY = 'the-cli-tests-hash-key-of-32-characters-or-more'

/**
 * Runs `sp-oauth args…` with only `env` of the SP_OAUTH_* variables (none of the developer's), and
 * `stdin` as its standard input.
 */
export function runCli(
  args: readonly string[],
  options: {
    readonly env?: Readonly<Record<string, string>>
    readonly stdin?: string
    /** The working directory (default: this process's), where a relative PGlite path lands. */
    readonly cwd?: string
  } = {},
): Promise<CliRun> {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build the CLI first (pnpm --filter @sp-oauth/cli test does)`)
  }
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('SP_OAUTH_') && name !== 'NODE_OPTIONS') env[name] = value
  }
  Object.assign(env, options.env)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ args, code: code ?? (signal === null ? -1 : 128), stdout, stderr })
    })
    child.stdin.end(options.stdin ?? '')
  })
}

/** Asserts the exit code, showing the run's output when it differs. */
export function expectExit(run: CliRun, code: number): CliRun {
  expect({ args: run.args, code: run.code, stderr: run.stderr }).toEqual({
    args: run.args,
    code,
    stderr: run.stderr,
  })
  return run
}

/** The one JSON document the run printed on stdout. */
// biome-ignore lint/suspicious/noExplicitAny: tests read any shape and assert it
export function jsonOf(run: CliRun): any {
  try {
    return JSON.parse(run.stdout)
  } catch {
    throw new Error(`sp-oauth ${run.args.join(' ')} printed no JSON document:\n${run.stdout}\n${run.stderr}`)
  }
}

/** The sorted keys of an object: a JSON shape to compare. */
export function keysOf(value: object): string[] {
  return Object.keys(value).sort()
}

/** The fields of a client in `--json` output, sorted. */
export const CLIENT_FIELDS = [
  'accessTokenTtlMinutes',
  'allowedGrants',
  'allowedScopes',
  'applicationType',
  'confidential',
  'createdAt',
  'id',
  'name',
  'redirectUris',
  'refreshTokenTtlDays',
  'resourceServer',
  'revokedAt',
  'silentConsent',
  'tokenEndpointAuthMethod',
  'updatedAt',
]

/** An ISO 8601 instant as `toISOString` writes it. */
export const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
