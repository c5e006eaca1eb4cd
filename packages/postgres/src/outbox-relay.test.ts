import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import {
  createAuthorizationServer,
  createOutboxRelay,
  type EventOutboxReader,
  type OAuthEvent,
  relayOutboxEvents,
  type Storage,
} from '@sp-oauth/core'
import { Kysely } from 'kysely'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { createPostgresStorage, type PostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'
import { freshTablePrefix, outboxOf, usePostgresTestSchema } from './test-support/postgres-test-schema.js'

// A crash between commit and delivery loses nothing: a core server commits changes with their
// events in the outbox and dies before any relay ran; a relay on a fresh storage over the same
// database then delivers every event, exactly once, in order.

const database = usePostgresTestSchema()
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A publisher that records what it is given and, when told, fails after recording. */
function recordingPublisher(options: { readonly failWith?: Error } = {}) {
  const events: OAuthEvent[] = []
  return {
    events,
    publish: async (batch: readonly OAuthEvent[]): Promise<void> => {
      events.push(...batch)
      if (options.failWith) throw options.failWith
    },
  }
}

/**
 * Through a core server on `storage`: creates two clients and issues each two client_credentials
 * tokens, so six events in the outbox. Resolves with what the server published itself (nothing,
 * with an outbox).
 */
async function commitChanges(storage: Storage): Promise<OAuthEvent[]> {
  const publisher = recordingPublisher()
  const server = createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    hashKeys: { keys: [{ id: 'k1', secret: 'x'.repeat(32) }] },
    eventPublisher: publisher,
  })
  for (const name of ['Billing', 'Reports']) {
    const { client, plaintextSecret } = await server.createClient({
      name,
      redirectUris: ['https://app.example.com/callback'],
      allowedGrants: ['client_credentials'],
      allowedScopes: ['invoices.read'],
      confidential: true,
    })
    for (let i = 0; i < 2; i++) {
      await server.issueTokenFromRequest({
        body: {
          grant_type: 'client_credentials',
          client_id: client.id,
          client_secret: plaintextSecret ?? '',
          scope: 'invoices.read',
        },
      })
    }
  }
  return publisher.events
}

function readerOf(storage: PostgresStorage): EventOutboxReader {
  if (!storage.outboxReader) throw new Error('a storage with outbox: true has an outboxReader')
  return storage.outboxReader
}

/** One backend: opens a new storage (a new process) over the same database, and reads its outbox. */
interface Backend {
  open(): Promise<PostgresStorage>
  readOutbox(): Promise<{ id: string; type: string }[]>
}

async function pgBackend(): Promise<Backend> {
  const { url, schema, db } = database()
  const location = { tablePrefix: freshTablePrefix(), schema }
  await createPostgresStorage({ db }, location).migrate()
  return {
    open: async () =>
      createPostgresStorage(
        { pool: new pg.Pool({ connectionString: url, max: 3 }) },
        { ...location, outbox: true },
      ),
    readOutbox: outboxOf(db, location),
  }
}

async function pgliteBackend(): Promise<Backend> {
  const directory = await mkdtemp(join(tmpdir(), 'sp-oauth-pglite-'))
  cleanups.push(() => rm(directory, { recursive: true, force: true }))
  const location = { tablePrefix: 'sp_oauth_' }
  let current: Kysely<unknown> | null = null
  const open = async (): Promise<Kysely<unknown>> => {
    // One process at a time on a PGlite directory: the previous one has crashed (is closed).
    await current?.destroy()
    current = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite(directory)) })
    return current
  }
  cleanups.push(async () => {
    await current?.destroy()
  })
  await createPostgresStorage({ db: await open() }, location).migrate()
  return {
    open: async () => createPostgresStorage({ db: await open() }, { ...location, outbox: true }),
    readOutbox: async () => {
      if (current === null) throw new Error('no PGlite process is open')
      return outboxOf(current, location)()
    },
  }
}

/** PGlite initialises, closes and reopens a data directory in these tests: seconds, under load more. */
const TIMEOUT_MS = 120_000

describe.each([
  { name: 'PostgreSQL', backend: pgBackend },
  { name: 'PGlite on a directory', backend: pgliteBackend },
])('outbox relay after a crash, on $name', ({ backend }) => {
  it(
    'a crash between commit and delivery loses nothing: a relay on a fresh storage delivers every committed event exactly once, in order',
    async () => {
      const { open, readOutbox } = await backend()
      const crashed = await open()
      expect(await commitChanges(crashed)).toEqual([])
      await crashed.close() // the process dies: no relay ever ran

      const fresh = await open()
      cleanups.push(() => fresh.close())
      const committed = await readOutbox()
      expect(committed.map((row) => row.type)).toEqual([
        'OAuthClientCreated',
        'OAuthTokenIssued',
        'OAuthTokenIssued',
        'OAuthClientCreated',
        'OAuthTokenIssued',
        'OAuthTokenIssued',
      ])
      const publisher = recordingPublisher()
      const relay = createOutboxRelay({
        reader: readerOf(fresh),
        publisher,
        batchSize: 4,
        onError: (error) => {
          throw error
        },
      })
      expect(await relay.drain()).toBe(6)
      expect(publisher.events.map((event) => event.id)).toEqual(committed.map((row) => row.id))
      expect(publisher.events.every((event) => event.occurredAt instanceof Date)).toBe(true)
      expect(await relay.drain()).toBe(0)
      expect(await relayOutboxEvents({ reader: readerOf(fresh), publisher })).toBe(0)
      expect(publisher.events).toHaveLength(6)
    },
    TIMEOUT_MS,
  )

  it(
    'at least once: when the publisher published and then failed before the mark, the entries are delivered again',
    async () => {
      const { open, readOutbox } = await backend()
      const crashed = await open()
      await commitChanges(crashed)
      await crashed.close()

      const fresh = await open()
      cleanups.push(() => fresh.close())
      const committed = (await readOutbox()).map((row) => row.id)
      const failure = new Error('the connection to the broker dropped before the acknowledgement')
      const failing = recordingPublisher({ failWith: failure })
      await expect(
        relayOutboxEvents({ reader: readerOf(fresh), publisher: failing }, { batchSize: 3 }),
      ).rejects.toBe(failure)
      expect(failing.events.map((event) => event.id)).toEqual(committed.slice(0, 3))

      const publisher = recordingPublisher()
      const relay = createOutboxRelay({
        reader: readerOf(fresh),
        publisher,
        onError: (error) => {
          throw error
        },
      })
      expect(await relay.drain()).toBe(6)
      expect(publisher.events.map((event) => event.id)).toEqual(committed)
    },
    TIMEOUT_MS,
  )
})
