// What the PostgreSQL and MySQL packages' test set-ups share: fresh names, the loud failure when a
// database server is unreachable, and helpers on the tables of one storage under test.
import { randomBytes } from 'node:crypto'
import { resolveTableNames, type SpOAuthDatabase, TABLE_NAMES, TableNamePlugin } from '@sp-oauth/sql'
import type { Kysely } from 'kysely'

/** A random suffix of lower-case hex digits. */
export function randomSuffix(bytes = 5): string {
  return randomBytes(bytes).toString('hex')
}

/** A fresh table prefix, so one schema or database holds the tables of many tests side by side. */
export function freshTablePrefix(): string {
  return `t${randomSuffix()}_`
}

/** Who could not be reached, where, and what the tests need there. */
export interface UnreachableServer {
  /** e.g. `PostgreSQL` */
  readonly service: string
  readonly url: string
  /** The environment variable that names another server. */
  readonly variable: string
  /** What the tests do there, e.g. `a database the tests may create and drop schemas in`. */
  readonly needs: string
}

/**
 * The error a test file fails with when its database server is unreachable. Locally it is also
 * printed as a loud banner, since a developer may not have started the service; under CI it just
 * fails. The URL's password is never shown.
 */
export function unreachable(server: UnreachableServer, cause: unknown): Error {
  const message =
    `${server.service} is unreachable at ${redact(server.url)}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
    `Start it, or point ${server.variable} at one (${server.needs}).`
  if (!process.env.CI) {
    const bar = '!'.repeat(100)
    console.error(`\n${bar}\n!!! ${message}\n!!! The storage tests of this file cannot run.\n${bar}\n`)
  }
  return new Error(message, { cause })
}

function redact(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparsable URL)'
  }
}

/** Where one storage's tables are. */
export interface TableLocation {
  readonly tablePrefix: string
  readonly schema?: string
}

function tablesAt(db: Kysely<unknown>, location: TableLocation): Kysely<SpOAuthDatabase> {
  return (db as Kysely<SpOAuthDatabase>).withPlugin(new TableNamePlugin(resolveTableNames(location)))
}

/** The `id` and `type` of every committed outbox row, in id order, for the contract's `readOutbox`. */
export function outboxOf(
  db: Kysely<unknown>,
  location: TableLocation,
): () => Promise<{ id: string; type: string }[]> {
  const tables = tablesAt(db, location)
  return async () => {
    const rows = await tables.selectFrom('event_outbox').select(['event_id', 'type']).orderBy('id').execute()
    return rows.map((row) => ({ id: row.event_id, type: row.type }))
  }
}

/**
 * Deletes every row of the tables, children first: what a test leaves behind, so the next test of
 * the file starts from empty tables (much cheaper than migrating new ones for each test).
 */
export async function deleteAllRows(db: Kysely<unknown>, location: TableLocation): Promise<void> {
  const tables = tablesAt(db, location)
  for (const table of [...TABLE_NAMES].reverse()) await tables.deleteFrom(table).execute()
}

/** A promise settled by hand, for holding a transaction open at a chosen point. */
export interface Deferred<T> {
  readonly promise: Promise<T>
  resolve(value: T): void
}

/** A fresh {@link Deferred} (Node 20 has no `Promise.withResolvers`). */
export function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return { promise, resolve }
}
