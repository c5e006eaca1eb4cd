// The quickstart (examples/quickstart) keeps its PGlite database in `<dataDir>/pglite`, beside the
// keys it generated (`hash-key`, `cookie-key`) and the lock it holds while it runs
// (`quickstart.pid`, see pglite-lock.ts).
import { existsSync, realpathSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** The quickstart's lock file in its data directory (examples/quickstart/src/data-dir.mjs). */
export const QUICKSTART_LOCK_FILE = 'quickstart.pid'
const MARKERS = ['hash-key', 'cookie-key', QUICKSTART_LOCK_FILE]

/**
 * The quickstart data directory a PGlite directory belongs to: its parent, when the directory is
 * named `pglite` and the parent holds one of the quickstart's files; `null` otherwise. A symbolic
 * link is followed first: the quickstart's database reached through a link is still the one it has
 * open.
 */
export function quickstartDataDirOf(pgliteDirectory: string): string | null {
  const directory = existsSync(pgliteDirectory) ? realpathSync(pgliteDirectory) : pgliteDirectory
  if (basename(directory) !== 'pglite') return null
  const parent = dirname(directory)
  return MARKERS.some((file) => existsSync(join(parent, file))) ? parent : null
}
