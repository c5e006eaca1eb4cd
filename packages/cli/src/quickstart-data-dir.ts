// The quickstart (examples/quickstart) keeps its PGlite database in `<dataDir>/pglite`, beside the
// keys it generated (`hash-key`, `cookie-key`) and the lock it holds while it runs
// (`quickstart.pid`). PGlite is one process's database: two processes on the same files corrupt
// it, so the CLI refuses a directory the quickstart holds, and holds the same lock itself meanwhile.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { CliError } from './cli-error.js'

const LOCK_FILE = 'quickstart.pid'
const MARKERS = ['hash-key', 'cookie-key', LOCK_FILE]

/**
 * The quickstart data directory a PGlite directory belongs to: its parent, when the directory is
 * named `pglite` and the parent holds one of the quickstart's files; `null` otherwise.
 */
export function quickstartDataDirOf(pgliteDirectory: string): string | null {
  if (basename(pgliteDirectory) !== 'pglite') return null
  const parent = dirname(pgliteDirectory)
  return MARKERS.some((file) => existsSync(join(parent, file))) ? parent : null
}

/**
 * Takes the quickstart's lock on `dataDir` for this process, as the quickstart's own `lockDataDir`
 * does (a file created exclusively, holding the process id; a lock whose process no longer runs
 * is taken over), so a quickstart started meanwhile refuses to open the database.
 *
 * @returns releases the lock
 * @throws CliError `database_in_use` when a running process holds it
 */
export function lockQuickstartDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE)
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
          `cannot write the lock ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}): check that this user may write the quickstart's data directory`,
        )
      }
    }
    const holder = readHolder(file)
    if (holder !== null && isRunning(holder)) {
      throw new CliError(
        'database_in_use',
        `the quickstart is running on ${dataDir} (process ${holder}): stop it first (Ctrl+C), since two processes on one PGlite database corrupt it (if no quickstart runs, delete ${file})`,
        { details: { lockFile: file, pid: holder } },
      )
    }
    rmSync(file, { force: true })
  }
  throw new CliError('database_in_use', `cannot lock ${dataDir}: another process keeps taking it; try again`)
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
