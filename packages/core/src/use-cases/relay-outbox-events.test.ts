import { describe, expect, it } from 'vitest'
import type { OAuthEvent } from '../domain/events.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { createMemoryStorage, type MemoryStorageWithOutbox } from '../memory/create-memory-storage.js'
import type { EventOutboxReader } from '../ports/event-outbox-reader.js'
import type { EventPublisher } from '../ports/event-publisher.js'
import { createTestClient, createTestServer, obtainTokens } from '../test-support/test-server.js'
import { createFakeClock } from '../testing/fake-clock.js'
import { relayOutboxEvents } from './relay-outbox-events.js'

/** A publisher that keeps every event of every resolved `publish`, one array per call. */
function recordingPublisher(): EventPublisher & { readonly calls: OAuthEvent[][] } {
  const calls: OAuthEvent[][] = []
  return {
    calls,
    publish: async (events) => {
      calls.push([...events])
    },
  }
}

/** A server on `storage` that writes its events to the outbox; the events of one code grant. */
async function commitSomeEvents(storage: MemoryStorageWithOutbox): Promise<readonly OAuthEvent[]> {
  const { server } = createTestServer({ storage })
  const client = await createTestClient(server)
  await obtainTokens(server, client)
  return [...storage.outboxEvents]
}

function typesOf(events: readonly OAuthEvent[]): string[] {
  return events.map((event) => event.type)
}

describe('relayOutboxEvents', () => {
  it('publishes the committed events of the outbox in one call, in order, and resolves with how many', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const committed = await commitSomeEvents(storage)
    expect(typesOf(committed)).toEqual([
      'OAuthClientCreated',
      'OAuthAuthorizationApproved',
      'OAuthTokenIssued',
    ])
    const publisher = recordingPublisher()
    expect(await relayOutboxEvents({ reader: storage.outboxReader, publisher })).toBe(3)
    expect(publisher.calls).toEqual([committed])
  })

  it('marks what it published delivered: the next call publishes nothing and resolves 0', async () => {
    const storage = createMemoryStorage({ outbox: true })
    await commitSomeEvents(storage)
    const publisher = recordingPublisher()
    await relayOutboxEvents({ reader: storage.outboxReader, publisher })
    expect(await relayOutboxEvents({ reader: storage.outboxReader, publisher })).toBe(0)
    expect(publisher.calls).toHaveLength(1)
  })

  it('at least once: when publish rejects, it rejects with that error and the next call publishes the same events', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const committed = await commitSomeEvents(storage)
    const failure = new Error('the broker is down')
    const failing: EventPublisher = {
      publish: async () => {
        throw failure
      },
    }
    await expect(relayOutboxEvents({ reader: storage.outboxReader, publisher: failing })).rejects.toBe(
      failure,
    )
    const publisher = recordingPublisher()
    expect(await relayOutboxEvents({ reader: storage.outboxReader, publisher })).toBe(3)
    expect(publisher.calls).toEqual([committed])
  })

  it('batchSize: publishes at most batchSize events per call, oldest first', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const committed = await commitSomeEvents(storage)
    const publisher = recordingPublisher()
    const deps = { reader: storage.outboxReader, publisher }
    expect(await relayOutboxEvents(deps, { batchSize: 2 })).toBe(2)
    expect(await relayOutboxEvents(deps, { batchSize: 2 })).toBe(1)
    expect(publisher.calls).toEqual([committed.slice(0, 2), committed.slice(2)])
  })

  it('batchSize: 100 by default', async () => {
    const limits: number[] = []
    const reader: EventOutboxReader = {
      relayBatch: async (limit) => {
        limits.push(limit)
        return 0
      },
    }
    await relayOutboxEvents({ reader, publisher: recordingPublisher() })
    expect(limits).toEqual([100])
  })

  it('refuses a batchSize that is not a positive integer, before reading anything', async () => {
    const storage = createMemoryStorage({ outbox: true })
    await commitSomeEvents(storage)
    const publisher = recordingPublisher()
    for (const batchSize of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const refused = relayOutboxEvents({ reader: storage.outboxReader, publisher }, { batchSize })
      await expect(refused).rejects.toBeInstanceOf(ConfigurationError)
      await expect(refused).rejects.toThrow('batchSize: must be a positive integer')
    }
    expect(publisher.calls).toEqual([])
  })

  it('with an empty outbox it does not call publish', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const publisher = recordingPublisher()
    expect(await relayOutboxEvents({ reader: storage.outboxReader, publisher })).toBe(0)
    expect(publisher.calls).toEqual([])
  })

  it('marks entries delivered at the time of its clock', async () => {
    const clock = createFakeClock(new Date('2026-05-06T07:08:09.010Z'))
    const times: Date[] = []
    const reader: EventOutboxReader = {
      relayBatch: async (_limit, now) => {
        times.push(now)
        return 0
      },
    }
    await relayOutboxEvents({ reader, publisher: recordingPublisher(), clock })
    expect(times).toEqual([new Date('2026-05-06T07:08:09.010Z')])
  })

  describe('events that are never lost', () => {
    it('a crash after commit and before relaying loses nothing: a new relay on the same storage delivers every event exactly once, in order', async () => {
      const storage = createMemoryStorage({ outbox: true })
      const { server } = createTestServer({ storage })
      const client = await createTestClient(server, {
        allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
      })
      await obtainTokens(server, client)
      await server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret! },
      })
      await server.revokeClient(client.id)
      const committed = [...storage.outboxEvents]
      // The process that committed these dies here, before any relay ran: only the storage is left.
      const publisher = recordingPublisher()
      let delivered = 0
      for (let batch = 0; batch < 10; batch++) {
        const count = await relayOutboxEvents({ reader: storage.outboxReader, publisher }, { batchSize: 2 })
        if (count === 0) break
        delivered += count
      }
      const published = publisher.calls.flat()
      expect(delivered).toBe(committed.length)
      expect(typesOf(published)).toEqual([
        'OAuthClientCreated',
        'OAuthAuthorizationApproved',
        'OAuthTokenIssued',
        'OAuthTokenIssued',
        'OAuthClientRevoked',
      ])
      expect(published).toEqual(committed)
      expect(new Set(published.map((event) => event.id)).size).toBe(committed.length)
    })

    it('a crash between publishing and marking delivers the batch again (at least once), then each event once more never', async () => {
      const storage = createMemoryStorage({ outbox: true })
      const committed = await commitSomeEvents(storage)
      const broker: OAuthEvent[] = []
      // The broker got the events, then the relay died before the mark: its batch never resolved.
      const crashing: EventPublisher = {
        publish: async (events) => {
          broker.push(...events)
          throw new Error('relay process killed')
        },
      }
      await expect(
        relayOutboxEvents({ reader: storage.outboxReader, publisher: crashing }, { batchSize: 2 }),
      ).rejects.toThrow('relay process killed')
      const publisher: EventPublisher = {
        publish: async (events) => {
          broker.push(...events)
        },
      }
      const deps = { reader: storage.outboxReader, publisher }
      while ((await relayOutboxEvents(deps, { batchSize: 2 })) > 0) {
        // Relay until the outbox is empty.
      }
      expect(broker).toEqual([committed[0], committed[1], ...committed])
      expect(await relayOutboxEvents(deps)).toBe(0)
    })
  })
})
