import type { PostgresPool } from 'kysely'

/** The part of a node-postgres `Pool` (an `EventEmitter`) the listeners need. */
interface PoolEvents {
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'acquire', listener: (client: ClientEvents) => void): unknown
  listenerCount(event: string): number
}

/** The part of a node-postgres `Client` the listener needs. */
interface ClientEvents {
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** Pools and clients already given their listeners. */
const listened = new WeakSet<object>()

function ignore(): void {
  // The failure already reaches whoever needs it: the query in flight, or the next one sent on the
  // client, rejects (and the storage turns it into StorageUnavailableError); the pool drops the
  // broken client when it is released.
}

/**
 * Makes a lost connection safe for the process. node-postgres reports a connection the server
 * ended (`pg_terminate_backend`, a restart, a failover, a network cut) as an `error` event: on the
 * pool for an idle client, on the `Client` itself while it is checked out. An `error` event with
 * no listener is an uncaught exception that ends the process, and nothing listens on a checked-out
 * client. So every client gets a listener the first time the storage checks it out (the pool's
 * `acquire` event), and the pool gets one only when the application set none (the application's
 * own listener, as node-postgres asks for, stays in charge).
 *
 * A pool that is no `EventEmitter` (a custom `PostgresPool`) is left alone.
 */
export function listenForConnectionErrors(pool: PostgresPool): void {
  const events = pool as Partial<PoolEvents>
  if (typeof events.on !== 'function' || typeof events.listenerCount !== 'function') return
  if (listened.has(pool)) return
  listened.add(pool)
  if (events.listenerCount('error') === 0) events.on('error', ignore)
  events.on('acquire', (client) => {
    if (listened.has(client) || typeof client?.on !== 'function') return
    listened.add(client)
    client.on('error', ignore)
  })
}

/**
 * Names the pool's database for error messages: host, port and database from its options or
 * connection string, never the user or password; the node-postgres defaults where unset.
 */
export function describePostgresPool(pool: PostgresPool): string {
  const options = (pool as { options?: Record<string, unknown> }).options ?? {}
  let host = typeof options.host === 'string' ? options.host : undefined
  let port =
    typeof options.port === 'number' || typeof options.port === 'string' ? String(options.port) : undefined
  let database = typeof options.database === 'string' ? options.database : undefined
  if (typeof options.connectionString === 'string') {
    try {
      const url = new URL(options.connectionString)
      host ??= url.hostname === '' ? undefined : decodeURIComponent(url.hostname)
      port ??= url.port === '' ? undefined : url.port
      const path = decodeURIComponent(url.pathname.replace(/^\//, ''))
      database ??= path === '' ? undefined : path
    } catch {
      // Not a URL (a socket directory, say): the fields above say what they can.
    }
  }
  const at = `${host ?? 'localhost'}:${port ?? '5432'}`
  return `PostgreSQL at ${at}${database === undefined ? '' : `, database ${database}`}`
}
