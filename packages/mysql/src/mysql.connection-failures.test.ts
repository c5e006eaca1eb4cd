// A lost or unreachable MariaDB/MySQL never ends the process and fails requests cleanly (issue 9
// item 10), on a mysql2 pool set up as the README shows: the storage listens on the connections it
// checks out. The process-level fault test under HTTP load is in @sp-oauth/http-conformance.
import { type AuthorizationServer, StorageUnavailableError } from '@sp-oauth/core'
import {
  clientCredentialsBody,
  closedPort,
  coreOn,
  expectRecovery,
  expectRequestsSurviveKilledConnections,
  expectStorageUnavailable,
  type GuaranteeClient,
  serverWithMachineClient,
  sharedClock,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { expectFailedAuthenticationsWriteNothing } from '@sp-oauth/storage-test-support/failed-authentication-suite'
import { useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, MysqlDialect, sql } from 'kysely'
import { createPool, type Pool, type PoolConnection } from 'mysql2'
import { afterEach, describe, expect, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'
import { mysqlSqlDialect } from './mysql-sql-dialect.js'

const database = useMysqlTestDatabase()

/** Ends what a test opened, even when it failed. */
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

/** A pool as the README makes it (nothing added), and the server thread ids of its connections. */
function readmePool(options: { readonly connectionLimit?: number } = {}): {
  pool: Pool
  threadIds: Set<number>
} {
  const pool = createPool({ ...database().poolOptions, connectionLimit: options.connectionLimit ?? 10 })
  const threadIds = new Set<number>()
  pool.on('connection', (connection) => {
    if (connection.threadId !== null) threadIds.add(connection.threadId)
  })
  return { pool, threadIds }
}

/** `KILL`s every connection in `threadIds` from the file's own pool. */
async function killConnections(threadIds: ReadonlySet<number>): Promise<number> {
  let killed = 0
  for (const id of threadIds) {
    const { rows } = await sql<{ ID: number }>`
      select ID from information_schema.processlist where ID = ${id}
    `.execute(database().db)
    if (rows.length === 0) continue
    await sql`kill ${sql.raw(String(Number(id)))}`.execute(database().db)
    killed += 1
  }
  return killed
}

/** A storage on `pool`, migrated, with tables of its own, and a server with a machine client. */
async function serverOn(pool: Pool): Promise<{ server: AuthorizationServer; client: GuaranteeClient }> {
  const storage = createMysqlStorage({ pool }, { tablePrefix: freshTablePrefix() })
  cleanups.push(() => storage.close())
  await storage.migrate()
  return serverWithMachineClient(storage)
}

const clientCredentials = clientCredentialsBody

describe('mysql2 pool, a connection killed from outside', () => {
  it('a checked-out connection that is KILLed fails its unit of work with StorageUnavailableError (503), and the process lives on', async () => {
    const { pool, threadIds } = readmePool({ connectionLimit: 2 })
    const { server, client } = await serverOn(pool)
    let checkedOut: PoolConnection | null = null
    pool.on('acquire', (acquired) => {
      checkedOut = acquired
    })
    const failed = await server.context.storage.unitOfWork
      .run(async (tx) => {
        await tx.clients.findById(client.id)
        const held = checkedOut!
        // `end` comes once the connection has read the server closing it.
        const ended = new Promise((resolve) => held.once('end', resolve))
        expect(await killConnections(threadIds)).toBeGreaterThan(0)
        await ended
        return tx.clients.findById(client.id)
      })
      .then(
        () => null,
        (error: unknown) => error,
      )
    expectStorageUnavailable(server, failed)
    expect((failed as StorageUnavailableError).message).toContain(`database ${database().database}`)
    // Another pooled connection may have been closed too: the pool may hand it out once more.
    const issued = await expectRecovery(server, () =>
      server.issueTokenFromRequest({ body: clientCredentials(client) }),
    )
    expect(issued.access_token).toBeDefined()
  })

  it('concurrent token requests while every connection is KILLed fail cleanly or succeed, and the next ones succeed', async () => {
    const { pool, threadIds } = readmePool()
    const { server, client } = await serverOn(pool)
    await expectRequestsSurviveKilledConnections(server, client, () => killConnections(threadIds))
  })

  it('a connection checked out of the pool keeps an error listener after mysql2’s own one-time listener is spent', async () => {
    const { pool } = readmePool({ connectionLimit: 2 })
    await serverOn(pool)
    const connection = await new Promise<PoolConnection>((resolve, reject) =>
      pool.getConnection((error, acquired) => (error ? reject(error) : resolve(acquired))),
    )
    // A connection can report more than one error (the loss, then a write on the closed socket):
    // without a lasting listener, the second is an uncaught exception that ends the process.
    const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), {
      fatal: true,
    })
    expect(() => {
      connection.emit('error', lost)
      connection.emit('error', new Error("Can't write in closed state"))
    }).not.toThrow()
    connection.destroy()
  })

  it('gives the pool an error listener when the app set none, and keeps the app’s own', async () => {
    const bare = readmePool({ connectionLimit: 1 }).pool
    expect(bare.listenerCount('error')).toBe(0)
    await serverOn(bare)
    expect(bare.listenerCount('error')).toBe(1)
    const own = readmePool({ connectionLimit: 1 }).pool
    const mine = (): void => {}
    own.on('error', mine)
    await serverOn(own)
    expect(own.listeners('error')).toEqual([mine])
  })
})

describe('MySQL/MariaDB unreachable', () => {
  it('migrate() on a closed port rejects with one StorageUnavailableError naming the host, port and database, never the password', async () => {
    const port = await closedPort()
    const pool = createPool({
      host: '127.0.0.1',
      port,
      user: 'oauth',
      password: 'pw-s3cret',
      database: 'oauth_db',
      timezone: 'Z',
    })
    const storage = createMysqlStorage({ pool })
    cleanups.push(() => storage.close())
    const error = await storage.migrate().then(
      () => null,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(StorageUnavailableError)
    const { message } = error as StorageUnavailableError
    expect(message).toContain(`MySQL/MariaDB at 127.0.0.1:${port}, database oauth_db could not be reached`)
    expect(message).toContain('while running migrations')
    expect(message).toContain('ECONNREFUSED')
    expect(message).toContain('Check that the database server is running')
    expect(message).not.toContain('pw-s3cret')
    expect((error as StorageUnavailableError).cause).toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('a token request while the database is unreachable answers 503 server_error with Retry-After', async () => {
    const port = await closedPort()
    const pool = createPool({ host: '127.0.0.1', port, user: 'oauth', database: 'oauth_db', timezone: 'Z' })
    const storage = createMysqlStorage({ pool })
    cleanups.push(() => storage.close())
    const server = coreOn(storage, sharedClock())
    const body = { grant_type: 'client_credentials', client_id: crypto.randomUUID(), client_secret: 'x' }
    const error = await server.issueTokenFromRequest({ body }).then(
      () => null,
      (reason: unknown) => reason,
    )
    expectStorageUnavailable(server, error)
  })
})

describe('connection failures, as the MySQL dialect tells them', () => {
  it.each([
    [
      'a lost connection',
      Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
    ],
    ['a killed connection (1927)', Object.assign(new Error('Connection was killed'), { errno: 1927 })],
    ['server shutdown (1053)', Object.assign(new Error('Server shutdown'), { errno: 1053 })],
    ['too many connections (1040)', Object.assign(new Error('Too many connections'), { errno: 1040 })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    [
      'a closed connection',
      Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }),
    ],
  ])('%s is a connection failure', (_name, error) => {
    expect(mysqlSqlDialect.isConnectionFailure(error)).toBe(true)
  })

  it.each([
    ['a deadlock', Object.assign(new Error('Deadlock'), { errno: 1213, code: 'ER_LOCK_DEADLOCK' })],
    ['a duplicate key', Object.assign(new Error('Duplicate entry'), { errno: 1062, code: 'ER_DUP_ENTRY' })],
    ['a plain error', new Error('something else')],
    ['not an error', 'PROTOCOL_CONNECTION_LOST'],
  ])('%s is not', (_name, error) => {
    expect(mysqlSqlDialect.isConnectionFailure(error)).toBe(false)
  })
})

describe('failed client authentication', () => {
  it('300 failed authentications with the outbox on send no write and store no outbox row; the in-process publisher still hears them', async () => {
    const statements: string[] = []
    const db = new Kysely<unknown>({
      dialect: new MysqlDialect({ pool: createPool({ ...database().poolOptions, connectionLimit: 2 }) }),
      log: (event) => {
        statements.push(event.query.sql)
      },
    })
    cleanups.push(() => db.destroy())
    const tablePrefix = freshTablePrefix()
    const storage = createMysqlStorage({ db }, { tablePrefix, outbox: true })
    await storage.migrate()
    const outbox = sql.table(`${tablePrefix}event_outbox`)
    await expectFailedAuthenticationsWriteNothing({
      storage,
      statements,
      outboxRows: async () => {
        const { rows } = await sql<{ n: unknown }>`select count(*) as n from ${outbox}`.execute(database().db)
        return Number(rows[0]!.n)
      },
    })
  })
})
