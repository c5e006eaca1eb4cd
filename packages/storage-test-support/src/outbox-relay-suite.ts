// A crash between commit and delivery loses nothing: a core server commits changes with their
// events in the outbox and dies before any relay ran; a relay on a fresh storage over the same
// database then delivers every event, exactly once, in order.
import {
  createAuthorizationServer,
  createOutboxRelay,
  type EventOutboxReader,
  type OAuthEvent,
  relayOutboxEvents,
  type Storage,
  webCrypto,
} from '@sp-oauth/core'
import { afterEach, describe, expect, it } from 'vitest'

/** A storage opened with `outbox: true`, as one process holds it. */
export interface OutboxStorage extends Storage {
  readonly outboxReader?: EventOutboxReader
  close(): Promise<void>
}

/** Migrated tables of one test on one backend. */
export interface OutboxRelayTables {
  /** A new storage with `outbox: true` on the tables: a new process, with connections of its own. */
  open(): Promise<OutboxStorage>
  /** The `id` and `type` of every committed outbox row, in the order they were written. */
  readOutbox(): Promise<{ id: string; type: string }[]>
}

/** One database the suite runs on. */
export interface OutboxRelayBackend {
  /** Ends the suite's name: `outbox relay after a crash, on <name>`. */
  readonly name: string
  /**
   * Fresh migrated tables. `onCleanup` registers what to undo once the test ends (a directory, a
   * connection); cleanups run after each test, the last registered first.
   */
  tables(onCleanup: (cleanup: () => Promise<void>) => void): Promise<OutboxRelayTables>
}

export interface OutboxRelaySuiteOptions {
  readonly backends: readonly OutboxRelayBackend[]
  /** Each test's timeout; by default the package's vitest setting. */
  readonly timeoutMs?: number
}

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
    crypto: webCrypto({ keys: [{ id: 'k1', secret: 'x'.repeat(32) }] }),
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

function readerOf(storage: OutboxStorage): EventOutboxReader {
  if (!storage.outboxReader) throw new Error('a storage with outbox: true has an outboxReader')
  return storage.outboxReader
}

/**
 * The outbox relay rules after a crash, run by each SQL storage package on each of its backends:
 * nothing committed is lost, everything is delivered once and in order, and a publish that failed
 * before its mark is delivered again (at least once).
 */
export function outboxRelaySuite(options: OutboxRelaySuiteOptions): void {
  const cleanups: (() => Promise<void>)[] = []
  const onCleanup = (cleanup: () => Promise<void>): void => {
    cleanups.push(cleanup)
  }

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  for (const backend of options.backends) {
    describe(`outbox relay after a crash, on ${backend.name}`, () => {
      it(
        'a crash between commit and delivery loses nothing: a relay on a fresh storage delivers every committed event exactly once, in order',
        async () => {
          const { open, readOutbox } = await backend.tables(onCleanup)
          const crashed = await open()
          expect(await commitChanges(crashed)).toEqual([])
          await crashed.close() // the process dies: no relay ever ran

          const fresh = await open()
          onCleanup(() => fresh.close())
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
        options.timeoutMs,
      )

      it(
        'at least once: when the publisher published and then failed before the mark, the entries are delivered again',
        async () => {
          const { open, readOutbox } = await backend.tables(onCleanup)
          const crashed = await open()
          await commitChanges(crashed)
          await crashed.close()

          const fresh = await open()
          onCleanup(() => fresh.close())
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
        options.timeoutMs,
      )
    })
  }
}
