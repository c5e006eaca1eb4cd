// The quickstart's settings, from environment variables, and the one error type it reports to the
// person starting it: a message saying what to fix, printed without a stack trace.
import { fileURLToPath } from 'node:url'

/** A setting or the environment is wrong: the message says what to fix. Printed as is, exit code 1. */
export class QuickstartError extends Error {
  /** @override */
  name = 'QuickstartError'
}

export const MIN_HASH_KEY_LENGTH = 32
export const DEFAULT_PORT = 3000
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../.data', import.meta.url))

/**
 * @typedef {object} Settings
 * @property {number} port where to listen on 127.0.0.1 (0: any free port)
 * @property {string} dataDir the PGlite database and the generated keys
 * @property {string | null} hashKey the HMAC key for secrets, codes and tokens; `null`: generated
 * @property {string | null} issuer the issuer URL; `null`: `http://127.0.0.1:<port>`
 * @property {string | null} databaseUrl a PostgreSQL or MySQL server instead of the embedded database
 */

/**
 * Reads `PORT`, `SP_OAUTH_DATA_DIR`, `SP_OAUTH_HASH_KEY`, `SP_OAUTH_ISSUER` and `DATABASE_URL`.
 *
 * @param {Record<string, string | undefined>} env
 * @returns {Settings}
 * @throws {QuickstartError} naming every variable that is wrong, and how to fix it
 */
export function readSettings(env) {
  const problems = []
  const port = env.PORT?.trim() || String(DEFAULT_PORT)
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    problems.push(
      `PORT=${JSON.stringify(env.PORT)} is not a port number: use a whole number from 1 to 65535.`,
    )
  }
  const databaseUrl = env.DATABASE_URL?.trim() || null
  if (databaseUrl !== null && databaseKind(databaseUrl) === null) {
    problems.push(
      'DATABASE_URL must start with postgres://, postgresql:// or mysql:// (or unset it for the embedded database).',
    )
  }
  const hashKey = env.SP_OAUTH_HASH_KEY || null
  if (hashKey !== null) {
    const problem = hashKeyProblem(hashKey)
    if (problem) problems.push(`SP_OAUTH_HASH_KEY ${problem}`)
  }
  if (problems.length === 1) throw new QuickstartError(problems[0])
  if (problems.length > 1) throw new QuickstartError(problems.map((problem) => `\n  - ${problem}`).join(''))
  return {
    port: Number(port),
    dataDir: env.SP_OAUTH_DATA_DIR || DEFAULT_DATA_DIR,
    hashKey,
    issuer: env.SP_OAUTH_ISSUER || null,
    databaseUrl,
  }
}

/**
 * @param {string} url
 * @returns {'postgres' | 'mysql' | null} the kind of database server a URL names
 */
export function databaseKind(url) {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres'
  if (/^mysql:\/\//i.test(url)) return 'mysql'
  return null
}

/**
 * @param {string} key
 * @returns {string | null} what is wrong with a hash key, or `null`
 */
export function hashKeyProblem(key) {
  if (key.length < MIN_HASH_KEY_LENGTH) {
    return (
      `is ${key.length} character${key.length === 1 ? '' : 's'} long; it needs at least ${MIN_HASH_KEY_LENGTH} ` +
      `(generate one with: openssl rand -hex 32), or unset it to have one generated in the data directory.`
    )
  }
  return null
}
