// The data directory: the embedded PostgreSQL database and the keys generated on the first start
// (readable by their owner only).
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { QuickstartError } from './settings.mjs'

/**
 * Creates the directory if needed (owner-only) and checks that it can be written.
 *
 * @param {string} dir
 * @throws {QuickstartError} when it cannot be created or written
 */
export function prepareDataDir(dir) {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const probe = join(dir, `.write-test-${process.pid}`)
    writeFileSync(probe, '')
    rmSync(probe)
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code ?? 'error'
    throw new QuickstartError(
      `the data directory ${dir} cannot be written (${code}): set SP_OAUTH_DATA_DIR to a directory ` +
        'this user can create and write.',
    )
  }
}

/**
 * Takes the data directory for this process: PGlite is one process's database, and two processes
 * writing the same files would corrupt it. A lock left by a process that no longer runs is taken
 * over.
 *
 * @param {string} dir
 * @returns {() => void} releases the lock
 * @throws {QuickstartError} when a running process holds it
 */
export function lockDataDir(dir) {
  const file = join(dir, 'quickstart.pid')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' })
      let held = true
      return () => {
        if (held) rmSync(file, { force: true })
        held = false
      }
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') {
        throw new QuickstartError(`Cannot write ${file}: ${describe(error)}.`)
      }
    }
    const holder = Number.parseInt(readFileSync(file, 'utf8'), 10)
    if (Number.isSafeInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new QuickstartError(
        `the data directory ${dir} is in use by another process (process ${holder}: another quickstart, ` +
          `or an sp-oauth command on its database): wait for it or stop it, or set SP_OAUTH_DATA_DIR to ` +
          `another directory (if neither runs, delete ${file}).`,
      )
    }
    rmSync(file, { force: true })
  }
  throw new QuickstartError(`Cannot lock the data directory ${dir}: another process keeps taking it.`)
}

/** @param {number} pid */
function isRunning(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM'
  }
}

/**
 * The secret kept in `file`, made on first use: 32 random bytes as 64 hex characters, written
 * readable and writable by the owner only (mode 0600), so a restart finds the same key.
 *
 * @param {string} file
 * @param {string} what what the key is for, for the error message
 * @returns {{ key: string, created: boolean }}
 * @throws {QuickstartError} when the file holds a key that is too short or cannot be read or written
 */
export function loadOrCreateKey(file, what) {
  const key = randomBytes(32).toString('hex')
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' })
    return { key, created: true }
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') {
      throw new QuickstartError(`Cannot write the ${what} to ${file}: ${describe(error)}.`)
    }
  }
  let existing
  try {
    existing = readFileSync(file, 'utf8').trim()
  } catch (error) {
    throw new QuickstartError(`Cannot read the ${what} in ${file}: ${describe(error)}.`)
  }
  if (existing.length < 32) {
    throw new QuickstartError(
      `${file} holds a ${what} of ${existing.length} characters; it needs at least 32. Delete the ` +
        'file to have a new one generated (what was hashed or signed with the old one stops working).',
    )
  }
  return { key: existing, created: false }
}

/**
 * The key a file holds, as a hash key named `id`, when the file exists and holds one: a key
 * generated before SP_OAUTH_HASH_KEY was set keeps verifying what it hashed.
 *
 * @param {string} file
 * @param {string} id
 * @returns {{ id: string, secret: string }[]}
 */
export function readKeyIfPresent(file, id) {
  try {
    const key = readFileSync(file, 'utf8').trim()
    return key.length >= 32 ? [{ id, secret: key }] : []
  } catch {
    return []
  }
}

/** @param {unknown} error */
function describe(error) {
  return /** @type {NodeJS.ErrnoException} */ (error).code ?? String(error)
}
