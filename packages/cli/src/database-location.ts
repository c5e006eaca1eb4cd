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

const CHECK_URL = 'check --database-url or SP_OAUTH_DATABASE_URL'

/**
 * `postgres://` and `postgresql://` name a PostgreSQL server, `mysql://` a MySQL or MariaDB server;
 * a path or a `file:` URL is a PGlite data directory. Any other `scheme://` is refused: read as a
 * path it would put the URL, password included, into messages and make it a directory's name.
 * No message quotes the value.
 *
 * @throws CliError `usage` when a URL does not parse or names another kind of database
 */
export function parseDatabaseLocation(value: string): DatabaseLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase()
  if (scheme === 'postgres' || scheme === 'postgresql' || scheme === 'mysql') {
    return serverLocation(value, scheme === 'mysql' ? 'mysql' : 'postgres')
  }
  if (scheme !== undefined && scheme !== 'file') {
    throw new CliError(
      'usage',
      `the database URL's scheme "${scheme}:" is not one sp-oauth opens: ${CHECK_URL} (postgres://…, postgresql://…, mysql://… for MySQL and MariaDB, or a PGlite directory)`,
    )
  }
  let directory: string
  try {
    directory = resolve(scheme === 'file' ? fileURLToPath(value) : value)
  } catch {
    throw new CliError(
      'usage',
      `the database URL is not a valid file: URL of a PGlite directory: ${CHECK_URL} (e.g. file:///srv/oauth/pglite)`,
    )
  }
  return { kind: 'pglite', directory, display: `the PGlite database in ${directory}` }
}

function serverLocation<K extends 'postgres' | 'mysql'>(value: string, kind: K): ServerLocation<K> {
  const example =
    kind === 'mysql'
      ? 'mysql://user:password@host:3306/database'
      : 'postgres://user:password@host:5432/database'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new CliError('usage', `the database URL is not a valid URL: ${CHECK_URL} (e.g. ${example})`)
  }
  const port = url.port || (kind === 'mysql' ? '3306' : '5432')
  const display = `${kind === 'mysql' ? 'MySQL/MariaDB' : 'PostgreSQL'} at ${url.hostname || 'localhost'}:${port}, database ${databaseName(url)}`
  return { kind, url: value, display }
}

/** The database the URL's path names; as written when it is not valid percent-encoding (the driver then refuses it). */
function databaseName(url: URL): string {
  const path = url.pathname.replace(/^\//, '')
  try {
    return decodeURIComponent(path) || '(default)'
  } catch {
    return path
  }
}
