// Atomicity when the database connection dies mid-request, through the real core on a real pg
// Pool: the backend serving a code exchange or a refresh rotation is terminated right before each
// of the operation's statements in turn. The caller gets a clean 503 server_error, the tables hold the
// whole change or none of it, and the same request then succeeds exactly once (or, had the change
// committed, is refused as a replay).
import { isDeepStrictEqual } from 'node:util'
import type { AuthorizationServer } from '@sp-oauth/core'
import type { SpOAuthDatabase } from '@sp-oauth/sql'
import {
  authorizeCode,
  codeBody,
  coreOn,
  createGuaranteeClient,
  expectStorageUnavailable,
  type GuaranteeClient,
  refreshBody,
  sharedClock,
  tablesOf,
} from '@sp-oauth/storage-test-support/core-guarantees'
import {
  InterceptingDialect,
  type StatementInterceptor,
} from '@sp-oauth/storage-test-support/intercepting-dialect'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { CompiledQuery, type DatabaseConnection, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'

const database = usePostgresTestSchema()

/**
 * Terminates backend `pid` from `admin`, a connection of its own, and waits until it has exited
 * (the timeout argument, PostgreSQL 14+): the statement sent next surely meets a dead connection.
 */
async function terminateBackend(admin: Kysely<unknown>, pid: number): Promise<void> {
  const { rows } = await sql<{ terminated: boolean }>`
    select pg_terminate_backend(${pid}, 10000) as terminated
  `.execute(admin)
  if (rows[0]?.terminated !== true) throw new Error(`backend ${pid} did not exit within 10 s`)
}

/**
 * Sees every statement a Kysely instance sends (BEGIN and COMMIT included), counts them, and when
 * armed terminates the backend of the statement's connection right before the Nth one, then lets
 * the statement go.
 */
class ConnectionKiller implements StatementInterceptor {
  readonly #terminate: (pid: number) => Promise<void>
  /** Kysely keeps one connection object per pg client, so its backend pid is asked once. */
  readonly #pids = new WeakMap<DatabaseConnection, number>()
  #killAt: number | null = null
  #seen = 0
  #killed = false
  readonly statements: string[] = []

  constructor(terminate: (pid: number) => Promise<void>) {
    this.#terminate = terminate
  }

  /** Starts counting from zero; kills before statement `killAt` (1-based), or never with `null`. */
  arm(killAt: number | null): void {
    this.#killAt = killAt
    this.#seen = 0
    this.#killed = false
    this.statements.length = 0
  }

  disarm(): void {
    this.#killAt = null
  }

  /** Whether a backend was terminated since the last {@link arm}. */
  get killed(): boolean {
    return this.#killed
  }

  async before(query: CompiledQuery, connection: DatabaseConnection): Promise<void> {
    const pid = await this.#pidOf(connection)
    this.#seen += 1
    this.statements.push(query.sql)
    if (this.#killAt !== null && this.#seen === this.#killAt) {
      this.#killAt = null
      await this.#terminate(pid)
      this.#killed = true
    }
  }

  async #pidOf(connection: DatabaseConnection): Promise<number> {
    const known = this.#pids.get(connection)
    if (known !== undefined) return known
    // Asked on the connection's first statement, so before any transaction of it, and on the
    // driver's own connection, which the dialect does not intercept: not one of the counted statements.
    const { rows } = await connection.executeQuery<{ pid: number }>(
      CompiledQuery.raw('select pg_backend_pid() as pid'),
    )
    const pid = rows[0]?.pid
    if (pid === undefined) throw new Error('pg_backend_pid() returned no row')
    this.#pids.set(connection, pid)
    return pid
  }
}

/** A pg Pool that outlives terminated backends. */
function survivingPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  // A terminated backend is reported as an 'error' event: by the pool for an idle client, by the
  // client itself while checked out (between two statements of a transaction). Without a listener
  // either one is an uncaught exception that ends the test process; the failed statement already
  // tells the caller, so these are ignored.
  pool.on('error', () => {})
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
  return pool
}

/** What a code exchange or a rotation changes, counted over this test's tables. */
interface CommittedState {
  readonly accessTokens: number
  readonly refreshTokens: number
  readonly rotatedRefreshTokens: number
  readonly consumedCodes: number
  readonly outboxEvents: number
}

async function committedState(tables: Kysely<SpOAuthDatabase>): Promise<CommittedState> {
  const countAll = tables.fn.countAll().as('n')
  const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }): Promise<number> =>
    Number((await query.executeTakeFirstOrThrow()).n)
  return {
    accessTokens: await count(tables.selectFrom('access_tokens').select(countAll)),
    refreshTokens: await count(tables.selectFrom('refresh_tokens').select(countAll)),
    rotatedRefreshTokens: await count(
      tables.selectFrom('refresh_tokens').select(countAll).where('rotated_at', 'is not', null),
    ),
    consumedCodes: await count(
      tables.selectFrom('authorization_codes').select(countAll).where('consumed_at', 'is not', null),
    ),
    outboxEvents: await count(tables.selectFrom('event_outbox').select(countAll)),
  }
}

function changeBetween(before: CommittedState, after: CommittedState): CommittedState {
  return {
    accessTokens: after.accessTokens - before.accessTokens,
    refreshTokens: after.refreshTokens - before.refreshTokens,
    rotatedRefreshTokens: after.rotatedRefreshTokens - before.rotatedRefreshTokens,
    consumedCodes: after.consumedCodes - before.consumedCodes,
    outboxEvents: after.outboxEvents - before.outboxEvents,
  }
}

function withChange(state: CommittedState, change: CommittedState): CommittedState {
  return {
    accessTokens: state.accessTokens + change.accessTokens,
    refreshTokens: state.refreshTokens + change.refreshTokens,
    rotatedRefreshTokens: state.rotatedRefreshTokens + change.rotatedRefreshTokens,
    consumedCodes: state.consumedCodes + change.consumedCodes,
    outboxEvents: state.outboxEvents + change.outboxEvents,
  }
}

interface Subject {
  readonly server: AuthorizationServer
  readonly client: GuaranteeClient
  readonly tables: Kysely<SpOAuthDatabase>
  readonly killer: ConnectionKiller
}

/** A token request the test repeats: a fresh body each time, and what one success changes. */
interface Operation {
  fresh(): Promise<Record<string, string>>
  readonly change: Partial<CommittedState>
  /**
   * A refresh: within the default reuse grace period the same request may be sent once more
   * after it happened (its answer was lost, as a 500 after a commit is), then it is a reuse.
   */
  readonly retryWithinGrace?: boolean
}

/**
 * Counts the statements of one `operation` first (so the test follows however many the storage
 * sends: a transaction of several, or one statement), then for each N runs a fresh one with its
 * connection killed right before statement N, and checks the error, all-or-nothing, and the retry.
 */
async function killBeforeEachStatement(subject: Subject, operation: Operation): Promise<void> {
  const { server, tables, killer } = subject
  // Warm once first: the first run also loads what the core caches (the signing key).
  await server.issueTokenFromRequest({ body: await operation.fresh() })
  const probe = await operation.fresh()
  const beforeProbe = await committedState(tables)
  killer.arm(null)
  await server.issueTokenFromRequest({ body: probe })
  killer.disarm()
  const statements = [...killer.statements]
  const change = changeBetween(beforeProbe, await committedState(tables))
  expect(change).toMatchObject(operation.change)
  expect(change.outboxEvents).toBeGreaterThan(0)
  expect(statements.some((statement) => /^\s*(insert|update|with)\b/i.test(statement))).toBe(true)

  for (let killAt = 1; killAt <= statements.length; killAt++) {
    const body = await operation.fresh()
    const before = await committedState(tables)
    killer.arm(killAt)
    const error = await server.issueTokenFromRequest({ body }).then(
      () => null,
      (reason: unknown) => reason,
    )
    killer.disarm()
    const at = `connection killed before statement ${killAt}: ${statements[killAt - 1]}`
    expect(killer.killed, at).toBe(true)
    expect(error, at).not.toBeNull()
    expectStorageUnavailable(server, error)

    const whole = withChange(before, change)
    const after = await committedState(tables)
    expect([before, whole], at).toContainEqual(after)
    if (isDeepStrictEqual(after, before)) {
      // Nothing happened: the same request goes through once, on a new connection of the pool.
      const retried = await server.issueTokenFromRequest({ body })
      expect(retried.refresh_token, at).toBeDefined()
      expect(await committedState(tables), at).toEqual(whole)
    }
    if (operation.retryWithinGrace) {
      await expect(server.issueTokenFromRequest({ body }), at).resolves.toMatchObject({
        token_type: 'Bearer',
      })
    }
    // Now it has happened, exactly once: the same request again is a replay.
    await expect(server.issueTokenFromRequest({ body }), at).rejects.toMatchObject({ code: 'invalid_grant' })
  }
}

describe('PostgreSQL (pg Pool), a connection killed mid-request', () => {
  let subject: Subject
  let close: () => Promise<void> = async () => {}

  beforeAll(async () => {
    const { db, url, schema } = database()
    const location = { tablePrefix: freshTablePrefix(), schema }
    const killer = new ConnectionKiller((pid) => terminateBackend(db, pid))
    const killing = new Kysely<unknown>({
      dialect: new InterceptingDialect(new PostgresDialect({ pool: survivingPool(url) }), killer),
    })
    close = () => killing.destroy()
    // With the outbox, the event is one more write that must commit with the rest or not at all.
    const storage = createPostgresStorage({ db: killing }, { ...location, outbox: true })
    await storage.migrate()
    const server = coreOn(storage, sharedClock())
    const client = await createGuaranteeClient(server)
    subject = { server, client, tables: tablesOf(db, location), killer }
  }, 60_000)

  afterAll(async () => {
    await close()
  })

  it('a code exchange killed before any of its statements renders 503 server_error, commits all or nothing, and an unconsumed code then redeems exactly once', async () => {
    const { server, client } = subject
    await killBeforeEachStatement(subject, {
      fresh: async () => codeBody(client, await authorizeCode(server, client)),
      change: { consumedCodes: 1, accessTokens: 1, refreshTokens: 1, rotatedRefreshTokens: 0 },
    })
  }, 60_000)

  it('a refresh rotation killed before any of its statements renders 503 server_error, commits all or nothing, and an unrotated token then rotates exactly once', async () => {
    const { server, client } = subject
    await killBeforeEachStatement(subject, {
      fresh: async () => {
        const issued = await server.issueTokenFromRequest({
          body: codeBody(client, await authorizeCode(server, client)),
        })
        if (issued.refresh_token === undefined) throw new Error('expected a refresh token')
        return refreshBody(client, issued.refresh_token)
      },
      change: { consumedCodes: 0, accessTokens: 1, refreshTokens: 1, rotatedRefreshTokens: 1 },
      retryWithinGrace: true,
    })
  }, 60_000)
})
