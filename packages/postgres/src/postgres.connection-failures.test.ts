// A lost or unreachable PostgreSQL never ends the process and fails requests cleanly (issue 9 item
// 10), on a pg Pool set up as the README shows: the storage listens on the clients it checks out.
// The process-level fault test under HTTP load is in @sp-oauth/http-conformance.
import { PGlite } from '@electric-sql/pglite'
import { type AuthorizationServer, StorageUnavailableError } from '@sp-oauth/core'
import {
  clientCredentialsBody,
  closedPort,
  coreOn,
  expectRecovery,
  expectRequestsSurviveKilledConnections,
  expectServerError,
  expectStorageUnavailable,
  type GuaranteeClient,
  serverWithMachineClient,
  sharedClock,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { expectFailedAuthenticationsWriteNothing } from '@sp-oauth/storage-test-support/failed-authentication-suite'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { deferred, freshTablePrefix, randomSuffix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'
import { postgresSqlDialect } from './postgres-sql-dialect.js'

const database = usePostgresTestSchema()

/** Ends what a test opened, even when it failed. */
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

/** The connection string of the test database with an `application_name` of its own. */
function urlNamed(applicationName: string): string {
  const url = new URL(database().url)
  url.searchParams.set('application_name', applicationName)
  return url.toString()
}

/** Terminates every backend of `applicationName` and waits until each has exited. */
async function terminateBackends(applicationName: string): Promise<number> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where application_name = ${applicationName} and pid <> pg_backend_pid()
  `.execute(database().db)
  for (const { pid } of rows) await sql`select pg_terminate_backend(${pid}, 10000)`.execute(database().db)
  return rows.length
}

/** A storage on `pool`, migrated, with tables of its own, and a server with a client on it. */
async function serverOn(pool: pg.Pool): Promise<{ server: AuthorizationServer; client: GuaranteeClient }> {
  const storage = createPostgresStorage(
    { pool },
    { schema: database().schema, tablePrefix: freshTablePrefix() },
  )
  cleanups.push(() => storage.close())
  await storage.migrate()
  return serverWithMachineClient(storage)
}

const clientCredentials = clientCredentialsBody

describe('PostgreSQL pool, a backend terminated from outside', () => {
  it('a checked-out client whose backend is terminated fails its unit of work with StorageUnavailableError (503), and the process lives on', async () => {
    const name = `sp_oauth_kill_${randomSuffix()}`
    // Exactly as the README says: the app's own pool listener, nothing on the clients.
    const pool = new pg.Pool({ connectionString: urlNamed(name), max: 2 })
    pool.on('error', () => {})
    const { server, client } = await serverOn(pool)
    const storage = server.context.storage
    let checkedOut: pg.PoolClient | null = null
    pool.on('acquire', (acquired) => {
      checkedOut = acquired
    })
    // Hold a client checked out across the termination: node-postgres then emits `error` on the
    // Client itself, which ends the process unless something listens.
    const failed = await storage.unitOfWork
      .run(async (tx) => {
        await tx.clients.findById(client.id)
        const held = checkedOut!
        // `end` follows the `error` event once the client has read the termination off its socket.
        const ended = new Promise((resolve) => held.once('end', resolve))
        expect(await terminateBackends(name)).toBeGreaterThan(0)
        await ended
        return tx.clients.findById(client.id)
      })
      .then(
        () => null,
        (error: unknown) => error,
      )
    expectStorageUnavailable(server, failed)
    expect((failed as StorageUnavailableError).message).toContain(
      `database ${new URL(database().url).pathname.slice(1)}`,
    )
    // The pool let go of the broken client: the next request gets a new connection.
    // Another pooled connection may have been closed too: the pool may hand it out once more.
    const issued = await expectRecovery(server, () =>
      server.issueTokenFromRequest({ body: clientCredentials(client) }),
    )
    expect(issued.access_token).toBeDefined()
  })

  it('concurrent token requests while every backend is terminated fail cleanly or succeed, and the next ones succeed', async () => {
    const name = `sp_oauth_kill_${randomSuffix()}`
    const pool = new pg.Pool({ connectionString: urlNamed(name) })
    pool.on('error', () => {})
    const { server, client } = await serverOn(pool)
    await expectRequestsSurviveKilledConnections(server, client, () => terminateBackends(name))
  })

  it('a pool the app gave no error listener gets one: idle clients whose backends are terminated end nothing', async () => {
    const name = `sp_oauth_kill_${randomSuffix()}`
    const pool = new pg.Pool({ connectionString: urlNamed(name), max: 3 })
    expect(pool.listenerCount('error')).toBe(0)
    const { server, client } = await serverOn(pool)
    expect(pool.listenerCount('error')).toBe(1)
    await Promise.all([1, 2, 3].map(() => server.issueTokenFromRequest({ body: clientCredentials(client) })))
    expect(pool.idleCount).toBeGreaterThan(0)
    const idle = pool.idleCount
    // pg-pool removes an idle client right after the `error` event it emits for it.
    let removed = 0
    const { promise: allRemoved, resolve: removedAll } = deferred()
    pool.on('remove', () => {
      removed += 1
      if (removed === idle) removedAll()
    })
    expect(await terminateBackends(name)).toBe(idle)
    await allRemoved
    expect(await server.issueTokenFromRequest({ body: clientCredentials(client) })).toHaveProperty(
      'access_token',
    )
  })

  it('keeps the error listener an app set on its pool, adding none of its own', async () => {
    const pool = new pg.Pool({ connectionString: database().url, max: 1 })
    const mine = (): void => {}
    pool.on('error', mine)
    await serverOn(pool)
    expect(pool.listeners('error')).toEqual([mine])
  })
})

describe('PostgreSQL unreachable', () => {
  it('migrate() on a closed port rejects with one StorageUnavailableError naming the host, port and database, never the password', async () => {
    const port = await closedPort()
    const pool = new pg.Pool({ connectionString: `postgres://oauth:pw-s3cret@127.0.0.1:${port}/oauth_db` })
    const storage = createPostgresStorage({ pool })
    cleanups.push(() => storage.close())
    const error = await storage.migrate().then(
      () => null,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(StorageUnavailableError)
    const { message } = error as StorageUnavailableError
    expect(message).toContain(`PostgreSQL at 127.0.0.1:${port}, database oauth_db could not be reached`)
    expect(message).toContain('while running migrations')
    expect(message).toContain('ECONNREFUSED')
    expect(message).toContain('Check that the database server is running')
    expect(message).not.toContain('pw-s3cret')
    expect((error as StorageUnavailableError).cause).toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('a token request while the database is unreachable answers 503 server_error with Retry-After', async () => {
    const port = await closedPort()
    const pool = new pg.Pool({ connectionString: `postgres://oauth@127.0.0.1:${port}/oauth_db` })
    const storage = createPostgresStorage({ pool })
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

describe('PGlite', () => {
  it('has no connection to lose: a query on a closed database rejects the request (500), nothing is emitted, and the process lives', async () => {
    const pglite = new PGlite()
    const storage = createPostgresStorage({ pglite })
    await storage.migrate()
    const { server, client } = await serverWithMachineClient(storage)
    await pglite.close()
    const error = await server.issueTokenFromRequest({ body: clientCredentialsBody(client) }).then(
      () => null,
      (reason: unknown) => reason,
    )
    expectServerError(server, error)
  })
})

describe('connection failures, as the PostgreSQL dialect tells them', () => {
  it.each([
    ['a terminated backend (57P01)', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a connection exception (08006)', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['too many connections (53300)', Object.assign(new Error('too many'), { code: '53300' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['an end without code', new Error('Connection terminated unexpectedly')],
    ['a client left broken', new Error('Client has encountered a connection error and is not queryable')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
  ])('%s is a connection failure', (_name, error) => {
    expect(postgresSqlDialect.isConnectionFailure(error)).toBe(true)
  })

  it.each([
    ['a serialization failure', Object.assign(new Error('could not serialize'), { code: '40001' })],
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax'), { code: '42601' })],
    ['a plain error', new Error('something else')],
    ['not an error', 'Connection terminated'],
  ])('%s is not', (_name, error) => {
    expect(postgresSqlDialect.isConnectionFailure(error)).toBe(false)
  })
})

describe('failed client authentication', () => {
  it('300 failed authentications with the outbox on send no write and store no outbox row; the in-process publisher still hears them', async () => {
    const { url, schema } = database()
    const statements: string[] = []
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
      log: (event) => {
        statements.push(event.query.sql)
      },
    })
    cleanups.push(() => db.destroy())
    const tablePrefix = freshTablePrefix()
    const storage = createPostgresStorage({ db }, { schema, tablePrefix, outbox: true })
    await storage.migrate()
    const outbox = sql.table(`${schema}.${tablePrefix}event_outbox`)
    await expectFailedAuthenticationsWriteNothing({
      storage,
      statements,
      outboxRows: async () => {
        const { rows } = await sql<{ n: string }>`select count(*) as n from ${outbox}`.execute(database().db)
        return Number(rows[0]!.n)
      },
    })
  })
})
