import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CliError } from './cli-error.js'

/** Where the database is, from `--database-url` or `SP_OAUTH_DATABASE_URL`. */
export type DatabaseLocation =
  | ServerLocation<'postgres'>
  | ServerLocation<'mysql'>
  | {
      readonly kind: 'pglite'
      /** The PGlite data directory, absolute. */
      readonly directory: string
      readonly display: string
    }

/** A database server, by its URL. */
export interface ServerLocation<K extends 'postgres' | 'mysql'> {
  readonly kind: K
  readonly url: string
  /** For messages: host, port and database, never the user or password. */
  readonly display: string
}

/**
 * `postgres://` and `postgresql://` name a PostgreSQL server, `mysql://` a MySQL or MariaDB server;
 * anything else is a PGlite data directory (a path, or a `file:` URL).
 *
 * @throws CliError `usage` when a server URL does not parse
 */
export function parseDatabaseLocation(value: string): DatabaseLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase()
  if (scheme === 'postgres' || scheme === 'postgresql' || scheme === 'mysql') {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw new CliError(
        'usage',
        `the database URL is not a valid URL: check --database-url or SP_OAUTH_DATABASE_URL (e.g. ${
          scheme === 'mysql'
            ? 'mysql://user:password@host:3306/database'
            : 'postgres://user:password@host:5432/database'
        })`,
      )
    }
    const mysql = scheme === 'mysql'
    const port = url.port || (mysql ? '3306' : '5432')
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default)'
    const display = `${mysql ? 'MySQL/MariaDB' : 'PostgreSQL'} at ${url.hostname || 'localhost'}:${port}, database ${database}`
    return mysql ? { kind: 'mysql', url: value, display } : { kind: 'postgres', url: value, display }
  }
  const directory = resolve(scheme === 'file' ? fileURLToPath(value) : value)
  return { kind: 'pglite', directory, display: `the PGlite database in ${directory}` }
}
