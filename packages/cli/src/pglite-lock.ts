// PGlite is one process's database: two processes on the same files lose each other's commits and
// corrupt it. So the CLI holds a lock on every PGlite directory it opens: the quickstart's own lock
// on a quickstart's database (so each refuses the other), a lock file inside any other directory
// (so two sp-oauth commands, an operator's and a cron job's, never overlap).
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CliError } from './cli-error.js'
import { QUICKSTART_LOCK_FILE } from './quickstart-data-dir.js'

/** The lock file the CLI holds inside a PGlite directory that is not a quickstart's. */
export const PGLITE_LOCK_FILE = 'sp-oauth.pid'

/**
 * Takes the lock of a PGlite directory for this process, as the quickstart's `lockDataDir` does: a
 * file created exclusively, holding the process id; a lock whose process no longer runs (after a
 * crash) is taken over.
 *
 * @param quickstartDataDir the quickstart data directory `directory` belongs to, or `null`
 * @returns releases the lock
 * @throws CliError `database_in_use` when a running process holds it, or it cannot be written
 */
export function lockPgliteDirectory(directory: string, quickstartDataDir: string | null): () => void {
  const file =
    quickstartDataDir === null
      ? join(directory, PGLITE_LOCK_FILE)
      : join(quickstartDataDir, QUICKSTART_LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' })
      let held = true
      return () => {
        if (held) rmSync(file, { force: true })
        held = false
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CliError(
          'database_in_use',
          `cannot write the lock ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}): check that this user may write ${quickstartDataDir ?? directory}`,
        )
      }
    }
    const holder = readHolder(file)
    if (holder !== null && isRunning(holder)) throw inUse({ directory, quickstartDataDir, file, holder })
    rmSync(file, { force: true })
  }
  throw new CliError(
    'database_in_use',
    `cannot lock ${directory}: another process keeps taking it; try again`,
  )
}

function inUse(lock: {
  readonly directory: string
  readonly quickstartDataDir: string | null
  readonly file: string
  readonly holder: number
}): CliError {
  const why = `two processes on one PGlite database corrupt it (if none runs, delete ${lock.file})`
  const message =
    lock.quickstartDataDir === null
      ? `another sp-oauth command is running on ${lock.directory} (process ${lock.holder}): wait for it to end and run again, since ${why}`
      : `the quickstart, or another sp-oauth command, is running on ${lock.quickstartDataDir} (process ${lock.holder}): stop it first (Ctrl+C) or wait for it to end, since ${why}`
  return new CliError('database_in_use', message, { details: { lockFile: lock.file, pid: lock.holder } })
}

function readHolder(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
