import { describe, expect, it } from 'vitest'
import type { Storage } from '../config/options.js'
import { eventAggregateId } from '../domain/event-aggregate-id.js'
import type { OAuthEvent } from '../domain/events.js'
import type { EventOutboxReader, OutboxEntry } from '../ports/event-outbox-reader.js'
import {
  awkwardText,
  awkwardUserId,
  createGate,
  inParallel,
  minutesLater,
  scribble,
} from './contract-support.js'
import { instantAfter, randomUuid } from './record-builders.js'
import { type StorageContractOptions, type StorageFactory, useStorageUnderTest } from './storage-factory.js'

/** The instant batches of this suite mark entries delivered at. */
const DELIVERED_AT = minutesLater(10)

/** An event of client `clientId` (default: a fresh one), of a type picked by `index`. */
function buildEvent(index: number, clientId: string = randomUuid()): OAuthEvent {
  const base = { id: randomUuid(), occurredAt: instantAfter(index), clientId }
  switch (index % 3) {
    case 0:
      return { ...base, type: 'OAuthClientSecretRotated' }
    case 1:
      return {
        ...base,
        type: 'OAuthTokenIssued',
        userId: awkwardUserId(),
        grantType: 'authorization_code',
        scopes: ['openid', 'profile'],
        accessTokenId: randomUuid(),
        refreshTokenId: randomUuid(),
        familyId: randomUuid(),
      }
    default:
      return { ...base, type: 'OAuthTokenRevoked', tokenId: randomUuid(), tokenType: 'refresh_token' }
  }
}

/** `count` events, each of its own client (so no aggregate holds another back). */
function buildEvents(count: number): OAuthEvent[] {
  return Array.from({ length: count }, (_, index) => buildEvent(index))
}

/** Commits `events` to the outbox in one unit of work. */
async function appendCommitted(storage: Storage, events: readonly OAuthEvent[]): Promise<void> {
  await storage.unitOfWork.run(async (tx) => {
    if (!tx.outbox) throw new Error('a storage with an outboxReader must hand units of work an outbox')
    await tx.outbox.append(events)
  })
}

/** What one `relayBatch` call did. */
interface Batch {
  /** Resolved count. */
  readonly delivered: number
  /** The entries handed to `deliver`; empty when it was not called. */
  readonly entries: readonly OutboxEntry[]
}

/** Runs one batch whose `deliver` resolves at once. */
async function relay(reader: EventOutboxReader, limit: number): Promise<Batch> {
  const entries: OutboxEntry[] = []
  const delivered = await reader.relayBatch(limit, DELIVERED_AT, async (batch) => {
    entries.push(...batch)
  })
  return { delivered, entries }
}

/** Delivers everything already undelivered (another test's leftovers, in a shared storage). */
async function drainAll(reader: EventOutboxReader): Promise<void> {
  for (let round = 0; round < 1000; round++) {
    if ((await relay(reader, 100)).delivered === 0) return
  }
  throw new Error('the outbox did not run empty after 1000 batches')
}

/** The event ids of `entries`. */
function ids(entries: readonly OutboxEntry[]): string[] {
  return entries.map((entry) => entry.event.id)
}

/** The ids of `events`. */
function eventIds(events: readonly OAuthEvent[]): string[] {
  return events.map((event) => event.id)
}

/** A `relayBatch` whose `deliver` waits for the test: `called` opens once it has the entries. */
function heldBatch(
  reader: EventOutboxReader,
  limit: number,
  outcome: { readonly failWith?: Error } = {},
): {
  readonly called: Promise<void>
  readonly entries: OutboxEntry[]
  readonly running: Promise<number>
  release(): void
} {
  const called = createGate()
  const release = createGate()
  const entries: OutboxEntry[] = []
  const running = reader.relayBatch(limit, DELIVERED_AT, async (batch) => {
    entries.push(...batch)
    called.open()
    await release.opened
    if (outcome.failWith) throw outcome.failWith
  })
  // Resolves when `deliver` has the entries, or when the batch ended without calling it.
  const calledOrDone = Promise.race([called.opened, running.then(() => undefined)])
  return { called: calledOrDone, entries, running, release: release.open }
}

/** Lets other promise callbacks and I/O run: a yield, not a timed wait. */
function yieldTurn(): Promise<void> {
  return new Promise((resolve) => globalThis.setTimeout(resolve, 0))
}

/**
 * The contract of `EventOutboxReader`: `relayBatch` hands over committed entries in sequence order
 * (with the aggregate id of `eventAggregateId`), at most `limit` of them; marks them delivered when
 * `deliver` resolves and never hands them out again; leaves them undelivered when `deliver` rejects
 * or throws (at least once); never hands out entries of uncommitted or rolled-back units, nor the
 * same entry to two batches at once; and never an entry while an older entry of its aggregate is
 * undelivered, so concurrent relays keep each aggregate's order.
 *
 * Each test first delivers whatever the outbox already holds, then counts on nobody else appending
 * to or relaying that outbox while it runs (a schema or database per test file is enough). Events
 * are appended through `storage.unitOfWork.run`, so units of work must hand out an `outbox`; the
 * concurrency cases run up to 8 batches at once, each holding its transaction while it delivers.
 *
 * @param factory makes a storage for each test; it must return `outboxReader`.
 * @param options see {@link StorageContractOptions} (`singleConnection`: a batch holds the only
 *   connection while it delivers, so concurrent batches are checked one after the other).
 */
export function eventOutboxReaderContract(
  factory: StorageFactory,
  options: StorageContractOptions = {},
): void {
  defineEventOutboxReaderContract(factory, options, { readerRequired: true })
}

/**
 * The suite, for `storageContract` too, which passes `readerRequired: false`: then a storage
 * without `outboxReader` passes every test without anything to check.
 */
export function defineEventOutboxReaderContract(
  factory: StorageFactory,
  options: StorageContractOptions,
  { readerRequired }: { readonly readerRequired: boolean },
): void {
  const singleConnection = options.singleConnection ?? false

  describe('EventOutboxReader', () => {
    const subject = useStorageUnderTest(factory)

    /** Defines a test that gets the storage and its reader, with the outbox delivered empty. */
    const test = (
      name: string,
      body: (storage: Storage, reader: EventOutboxReader) => Promise<void>,
    ): void => {
      it(name, async () => {
        const { storage, outboxReader } = subject()
        if (outboxReader === undefined) {
          expect(readerRequired, 'eventOutboxReaderContract needs a factory that returns outboxReader').toBe(
            false,
          )
          return
        }
        await drainAll(outboxReader)
        await body(storage, outboxReader)
      })
    }

    test('relayBatch: with nothing undelivered it resolves 0 and does not call deliver', async (_storage, reader) => {
      let calls = 0
      const delivered = await reader.relayBatch(10, DELIVERED_AT, async () => {
        calls++
      })
      expect({ delivered, calls }).toEqual({ delivered: 0, calls: 0 })
    })

    test('relayBatch: hands over the entries of committed units in the order they were appended, with increasing sequence numbers and the aggregate id of eventAggregateId', async (storage, reader) => {
      const client = randomUuid()
      const units = [
        [buildEvent(0, client), buildEvent(1)],
        [buildEvent(2, client)],
        [buildEvent(3), buildEvent(4, client), buildEvent(5)],
      ]
      for (const unit of units) await appendCommitted(storage, unit)
      const batch = await relay(reader, 100)
      const appended = units.flat()
      expect(batch.delivered).toBe(appended.length)
      expect(batch.entries.map((entry) => entry.event)).toEqual(appended)
      for (const entry of batch.entries) {
        expect(Number.isSafeInteger(entry.sequence)).toBe(true)
        expect(entry.aggregateId).toBe(eventAggregateId(entry.event))
      }
      const sequences = batch.entries.map((entry) => entry.sequence)
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
      expect(new Set(sequences).size).toBe(sequences.length)
    })

    test('relayBatch: claims at most limit entries, oldest first, batch after batch', async (storage, reader) => {
      const events = buildEvents(5)
      await appendCommitted(storage, events)
      const batches = [await relay(reader, 2), await relay(reader, 2), await relay(reader, 2)]
      expect(batches.map((batch) => batch.delivered)).toEqual([2, 2, 1])
      expect(batches.map((batch) => ids(batch.entries))).toEqual([
        [events[0]!.id, events[1]!.id],
        [events[2]!.id, events[3]!.id],
        [events[4]!.id],
      ])
      const sequences = batches.flatMap((batch) => batch.entries.map((entry) => entry.sequence))
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
      expect(await relay(reader, 2)).toEqual({ delivered: 0, entries: [] })
    })

    test('relayBatch: entries marked delivered never come again; entries committed later come next', async (storage, reader) => {
      const first = buildEvents(3)
      await appendCommitted(storage, first)
      expect(ids((await relay(reader, 100)).entries)).toEqual(eventIds(first))
      expect(await relay(reader, 100)).toEqual({ delivered: 0, entries: [] })
      const later = buildEvents(2)
      await appendCommitted(storage, later)
      const next = await relay(reader, 100)
      expect(ids(next.entries)).toEqual(eventIds(later))
      expect(next.delivered).toBe(2)
    })

    test('relayBatch: the event fields come back exactly (unicode, quotes, 1000 characters, null, empty arrays, ms dates)', async (storage, reader) => {
      const created: OAuthEvent = {
        type: 'OAuthClientCreated',
        id: randomUuid(),
        occurredAt: new Date('2099-12-31T23:59:59.999Z'),
        clientId: randomUuid(),
        name: awkwardText(1000),
        confidential: false,
      }
      const issued: OAuthEvent = {
        type: 'OAuthTokenIssued',
        id: randomUuid(),
        occurredAt: instantAfter(1),
        clientId: randomUuid(),
        userId: null,
        grantType: 'client_credentials',
        scopes: [],
        accessTokenId: randomUuid(),
        refreshTokenId: null,
        familyId: null,
      }
      const failed: OAuthEvent = {
        type: 'OAuthClientAuthenticationFailed',
        id: randomUuid(),
        occurredAt: instantAfter(2),
        clientId: null,
        reason: 'invalid_secret',
      }
      await appendCommitted(storage, [created, issued, failed])
      const batch = await relay(reader, 100)
      expect(batch.entries.map((entry) => entry.event)).toEqual([created, issued, failed])
      expect(batch.entries.map((entry) => entry.aggregateId)).toEqual([
        eventAggregateId(created),
        eventAggregateId(issued),
        'client:unknown',
      ])
    })

    test('at least once: when deliver rejects, relayBatch rejects with its error and the same entries come again', async (storage, reader) => {
      const events = buildEvents(3)
      await appendCommitted(storage, events)
      const failure = new Error('the broker is down')
      const attempts: OutboxEntry[][] = []
      for (let attempt = 0; attempt < 3; attempt++) {
        const running = reader.relayBatch(100, DELIVERED_AT, async (entries) => {
          attempts.push([...entries])
          throw failure
        })
        await expect(running).rejects.toBe(failure)
      }
      const last = await relay(reader, 100)
      expect(last.delivered).toBe(3)
      for (const attempt of [...attempts, last.entries]) expect(attempt).toEqual(attempts[0])
      expect(ids(last.entries)).toEqual(eventIds(events))
      expect(await relay(reader, 100)).toEqual({ delivered: 0, entries: [] })
    })

    test('at least once: a deliver that throws at once (not async) leaves the entries undelivered too', async (storage, reader) => {
      const events = buildEvents(2)
      await appendCommitted(storage, events)
      const failure = new Error('thrown, not rejected')
      const deliver = (): Promise<void> => {
        throw failure
      }
      await expect(reader.relayBatch(100, DELIVERED_AT, deliver)).rejects.toBe(failure)
      expect(ids((await relay(reader, 100)).entries)).toEqual(eventIds(events))
    })

    test('relayBatch: entries handed to deliver are copies: changing them changes nothing handed out later', async (storage, reader) => {
      const events = buildEvents(3)
      await appendCommitted(storage, events)
      await expect(
        reader.relayBatch(100, DELIVERED_AT, async (entries) => {
          scribble(entries)
          throw new Error('rolled back after scribbling')
        }),
      ).rejects.toThrow('rolled back after scribbling')
      expect((await relay(reader, 100)).entries.map((entry) => entry.event)).toEqual(events)
    })

    test('relayBatch: never hands out the events of a rolled-back unit of work', async (storage, reader) => {
      const doomed = buildEvents(2)
      const failure = new Error('rolled back')
      await expect(
        storage.unitOfWork.run(async (tx) => {
          await tx.outbox!.append(doomed)
          throw failure
        }),
      ).rejects.toBe(failure)
      const kept = buildEvents(1)
      await appendCommitted(storage, kept)
      expect(ids((await relay(reader, 100)).entries)).toEqual(eventIds(kept))
    })

    test('relayBatch: never hands out the events of a unit of work that has not committed yet', async (storage, reader) => {
      const events = buildEvents(2)
      const appended = createGate()
      const release = createGate()
      const unit = storage.unitOfWork.run(async (tx) => {
        await tx.outbox!.append(events)
        appended.open()
        await release.opened
      })
      try {
        await Promise.race([appended.opened, unit])
        // A one-connection storage runs the batch only once the unit ends: start it, release, await.
        const during = relay(reader, 100)
        if (!singleConnection) expect(await during).toEqual({ delivered: 0, entries: [] })
        release.open()
        await unit
        const seen = singleConnection ? (await during).entries : []
        expect([[], eventIds(events)]).toContainEqual(ids(seen))
        if (seen.length === 0) expect(ids((await relay(reader, 100)).entries)).toEqual(eventIds(events))
      } finally {
        release.open()
      }
    })

    describe('concurrency', () => {
      test('while a batch delivers, another batch never gets its entries, and takes the next ones', async (storage, reader) => {
        const events = buildEvents(10)
        await appendCommitted(storage, events)
        const first = heldBatch(reader, 4)
        try {
          await first.called
          const second = relay(reader, 100)
          if (!singleConnection) {
            const other = await second
            expect(ids(other.entries)).toEqual(eventIds(events.slice(4)))
            expect(other.delivered).toBe(6)
          }
          first.release()
          expect(await first.running).toBe(4)
          expect(ids(first.entries)).toEqual(eventIds(events.slice(0, 4)))
          if (singleConnection) expect(ids((await second).entries)).toEqual(eventIds(events.slice(4)))
        } finally {
          first.release()
        }
        expect(await relay(reader, 100)).toEqual({ delivered: 0, entries: [] })
      })

      test('8 relays at once, in batches of 3 with every third delivery failing, deliver each of 40 entries exactly once (at least once, never twice)', async (storage, reader) => {
        const events = buildEvents(40)
        await appendCommitted(storage, events)
        const succeeded: string[] = []
        let calls = 0
        let failures = 0
        const relayUntilEmpty = async (): Promise<void> => {
          for (let round = 0; round < 200; round++) {
            const batch: string[] = []
            try {
              const delivered = await reader.relayBatch(3, DELIVERED_AT, async (entries) => {
                batch.push(...ids(entries))
                await yieldTurn()
                if (++calls % 3 === 0) throw new Error('every third delivery fails')
              })
              if (delivered === 0) return
              expect(delivered).toBe(batch.length)
              succeeded.push(...batch)
            } catch (error) {
              expect(error).toEqual(new Error('every third delivery fails'))
              failures++
            }
          }
        }
        await inParallel(8, relayUntilEmpty)
        // A relay may have given up while another still held entries it then failed to deliver.
        await relayUntilEmpty()
        expect(failures).toBeGreaterThan(0)
        expect([...succeeded].sort()).toEqual(eventIds(events).sort())
      })

      test('order per aggregate: while an older entry of an aggregate is held by a batch, other batches skip that aggregate and take the rest', async (storage, reader) => {
        const x = randomUuid()
        const y = randomUuid()
        const [x1, y1, x2, y2, z1] = [
          buildEvent(0, x),
          buildEvent(1, y),
          buildEvent(2, x),
          buildEvent(3, y),
          buildEvent(4),
        ]
        await appendCommitted(storage, [x1!, y1!, x2!, y2!, z1!])
        const first = heldBatch(reader, 1)
        try {
          await first.called
          expect(ids(first.entries)).toEqual([x1!.id])
          const second = relay(reader, 100)
          if (!singleConnection) expect(ids((await second).entries)).toEqual([y1!.id, y2!.id, z1!.id])
          first.release()
          expect(await first.running).toBe(1)
          const rest = singleConnection ? await second : await relay(reader, 100)
          expect(ids(rest.entries)).toEqual(singleConnection ? [y1!.id, x2!.id, y2!.id, z1!.id] : [x2!.id])
        } finally {
          first.release()
        }
      })

      test('order per aggregate: when the batch holding an older entry fails, the newer entries of its aggregate wait and then come after it', async (storage, reader) => {
        const x = randomUuid()
        const [x1, y1, x2, x3] = [buildEvent(0, x), buildEvent(1), buildEvent(2, x), buildEvent(3, x)]
        await appendCommitted(storage, [x1!, y1!, x2!, x3!])
        const failure = new Error('the broker is down')
        const first = heldBatch(reader, 1, { failWith: failure })
        try {
          await first.called
          const second = relay(reader, 100)
          if (!singleConnection) expect(ids((await second).entries)).toEqual([y1!.id])
          first.release()
          await expect(first.running).rejects.toBe(failure)
          const rest = singleConnection ? await second : await relay(reader, 100)
          expect(ids(rest.entries)).toEqual(
            singleConnection ? [x1!.id, y1!.id, x2!.id, x3!.id] : [x1!.id, x2!.id, x3!.id],
          )
        } finally {
          first.release()
        }
      })

      test('order per aggregate: 6 relays at once over 3 aggregates deliver each aggregate in sequence order', async (storage, reader) => {
        const clients = [randomUuid(), randomUuid(), randomUuid()]
        const events = Array.from({ length: 30 }, (_, i) => buildEvent(i, clients[(i * 7) % 3]!))
        for (let i = 0; i < events.length; i += 5) await appendCommitted(storage, events.slice(i, i + 5))
        // What a broker received, in order: relays take 0 to 2 turns to publish, so a relay that
        // claimed later may publish sooner; only the reader can keep an aggregate in order.
        const published: OutboxEntry[] = []
        const relayUntilEmpty = async (relay: number): Promise<void> => {
          for (let round = 0; round < 200; round++) {
            const delivered = await reader.relayBatch(2, DELIVERED_AT, async (entries) => {
              for (let turn = 0; turn < (relay + round) % 3; turn++) await yieldTurn()
              published.push(...entries)
            })
            if (delivered === 0) return
          }
        }
        await inParallel(6, relayUntilEmpty)
        await relayUntilEmpty(0)
        expect(ids(published).sort()).toEqual(events.map((event) => event.id).sort())
        for (const client of clients) {
          const ofClient = (list: readonly { readonly id: string; readonly clientId: string | null }[]) =>
            list.filter((event) => event.clientId === client).map((event) => event.id)
          expect(ofClient(published.map((entry) => entry.event))).toEqual(ofClient(events))
        }
      })
    })
  })
}
