import type { MysqlPool } from 'kysely'

/** The part of a mysql2 pool (an `EventEmitter`) the listeners need. */
interface PoolEvents {
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'acquire', listener: (connection: ConnectionEvents) => void): unknown
  listenerCount(event: string): number
}

/** The part of a mysql2 pool connection the listener needs. */
interface ConnectionEvents {
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** Pools and connections already given their listeners. */
const listened = new WeakSet<object>()

function ignore(): void {
  // The failure already reaches whoever needs it: the command in flight, or the next one sent on
  // the connection, rejects (and the storage turns it into StorageUnavailableError); mysql2 drops
  // the broken connection from the pool.
}

/**
 * Makes a lost connection safe for the process. mysql2 reports a connection the server ended
 * (`KILL`, a restart, a failover, `wait_timeout`, a network cut) as an `error` event on the pool
 * connection; its own one-time listener takes only the first, so a second report (a write on the
 * closed connection) would be an uncaught exception that ends the process. Every connection gets
 * a lasting listener the first time the storage checks it out (the pool's `acquire` event), and the
 * pool gets one when the application set none.
 *
 * A pool that is no `EventEmitter` is left alone.
 */
export function listenForConnectionErrors(pool: MysqlPool): void {
  const events = pool as Partial<PoolEvents>
  if (typeof events.on !== 'function' || typeof events.listenerCount !== 'function') return
  if (listened.has(pool)) return
  listened.add(pool)
  if (events.listenerCount('error') === 0) events.on('error', ignore)
  events.on('acquire', (connection) => {
    if (listened.has(connection) || typeof connection?.on !== 'function') return
    listened.add(connection)
    connection.on('error', ignore)
  })
}

/**
 * Names the pool's database for error messages: host, port (or socket) and database from its
 * settings, never the user or password; the mysql2 defaults where unset.
 */
export function describeMysqlPool(pool: MysqlPool): string {
  const settings =
    (pool as { config?: { connectionConfig?: Record<string, unknown> } }).config?.connectionConfig ?? {}
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined
  const socket = text(settings.socketPath)
  const at = socket ?? `${text(settings.host) ?? 'localhost'}:${text(settings.port) ?? '3306'}`
  const database = text(settings.database)
  return `MySQL/MariaDB at ${at}${database === undefined ? '' : `, database ${database}`}`
}
