// Helpers shared by the quickstart's tests.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startQuickstart } from '../src/quickstart.mjs'

export const MAIN = fileURLToPath(new URL('../src/main.mjs', import.meta.url))

/** A fresh temporary directory, and a function that removes it. */
export function temporaryDir() {
  const dir = mkdtempSync(join(tmpdir(), 'sp-oauth-quickstart-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Starts the quickstart in process on 127.0.0.1, keeping what it prints.
 *
 * @param {Partial<import('../src/quickstart.mjs').QuickstartOptions> & { dataDir: string }} options
 */
export async function startInProcess(options) {
  /** @type {string[]} */
  const lines = []
  const quickstart = await startQuickstart({ port: 0, log: (line) => lines.push(line), ...options })
  return { quickstart, lines, text: lines.join('\n') }
}

/**
 * The value printed after `label` on a banner line (`  client id       <value>`), for the first
 * line at or after the one that contains `after`.
 *
 * @param {string[]} lines
 * @param {string} label
 * @param {string} [after]
 */
export function bannerValue(lines, label, after = '') {
  const start = after === '' ? 0 : lines.findIndex((line) => line.includes(after))
  const pattern = new RegExp(`^\\s+${label}\\s{2,}(\\S.*)$`)
  for (const line of lines.slice(Math.max(start, 0))) {
    const match = pattern.exec(line)
    if (match) return /** @type {string} */ (match[1])
  }
  return null
}

/**
 * A client_credentials token request with HTTP Basic authentication, as the printed curl does.
 *
 * @param {string} tokenUrl
 * @param {string} clientId
 * @param {string} secret
 * @param {string} scope
 */
export async function clientCredentials(tokenUrl, clientId, secret, scope) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  })
  return { status: response.status, body: await response.json() }
}

/** The environment of a child process: this one's, without any quickstart setting. */
export function cleanEnv(/** @type {Record<string, string>} */ settings) {
  const env = { ...process.env }
  for (const name of ['PORT', 'SP_OAUTH_DATA_DIR', 'SP_OAUTH_HASH_KEY', 'SP_OAUTH_ISSUER', 'DATABASE_URL']) {
    delete env[name]
  }
  return { ...env, ...settings }
}

/**
 * Runs `node src/main.mjs` with `settings` until it exits, or until it prints `Listening on` (then
 * `stop` sends it a signal and resolves when it exits).
 *
 * @param {Record<string, string>} settings
 */
export function runMain(settings) {
  const child = spawn(process.execPath, [MAIN], {
    env: cleanEnv(settings),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    output: () => ({ stdout, stderr }),
    /** Resolves with the exit code and output once the process ends. */
    exit: async () => ({ code: await exited, stdout, stderr }),
    /** Resolves with the URL it listens on, or rejects when it exits first. */
    listening: () =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = /Listening on (http:\/\/\S+)/.exec(stdout)
          if (match) resolve(match[1])
        }
        child.stdout.on('data', check)
        check()
        exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${stdout}${stderr}`)))
      }),
  }
}
