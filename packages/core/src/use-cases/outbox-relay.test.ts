import { describe, expect, it } from 'vitest'
import type { OAuthEvent } from '../domain/events.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { createMemoryStorage, type MemoryStorageWithOutbox } from '../memory/create-memory-storage.js'
import type { EventOutboxReader } from '../ports/event-outbox-reader.js'
import type { EventPublisher } from '../ports/event-publisher.js'
import { createTestClient, createTestServer } from '../test-support/test-server.js'
import { createOutboxRelay, type OutboxRelayOptions, type RelayScheduler } from './outbox-relay.js'

/** A scheduler the test runs by hand: no timers. */
interface ManualScheduler extends RelayScheduler {
  /** The delays of the tasks scheduled and not yet run or cancelled, oldest first. */
  pendingDelays(): number[]
  /** Runs the oldest pending task. */
  runNext(): void
  /** Resolves at the next `schedule` call (a polling round ends by scheduling the next one). */
  nextSchedule(): Promise<void>
}

function createManualScheduler(): ManualScheduler {
  const pending: { readonly task: () => void; readonly delayMs: number }[] = []
  let waiters: (() => void)[] = []
  return {
    schedule: (task, delayMs) => {
      const entry = { task, delayMs }
      pending.push(entry)
      const woken = waiters
      waiters = []
      for (const wake of woken) wake()
      return () => {
        const index = pending.indexOf(entry)
        if (index >= 0) pending.splice(index, 1)
      }
    },
    pendingDelays: () => pending.map((entry) => entry.delayMs),
    runNext: () => {
      const entry = pending.shift()
      if (!entry) throw new Error('nothing is scheduled')
      entry.task()
    },
    nextSchedule: () => new Promise((resolve) => waiters.push(resolve)),
  }
}

/** A publisher that keeps the events of every resolved `publish`, and can be told to fail. */
function recordingPublisher(): EventPublisher & { readonly events: OAuthEvent[]; failWith: Error | null } {
  const events: OAuthEvent[] = []
  const publisher = {
    events,
    failWith: null as Error | null,
    publish: async (batch: readonly OAuthEvent[]) => {
      if (publisher.failWith) throw publisher.failWith
      events.push(...batch)
    },
  }
  return publisher
}

/** Commits `count` client creations to the outbox of `storage`. */
async function createClients(storage: MemoryStorageWithOutbox, count: number): Promise<void> {
  const { server } = createTestServer({ storage })
  for (let i = 0; i < count; i++) await createTestClient(server)
}

function setUp(overrides: Partial<OutboxRelayOptions> = {}) {
  const storage = createMemoryStorage({ outbox: true })
  const scheduler = createManualScheduler()
  const publisher = recordingPublisher()
  const errors: unknown[] = []
  const relay = createOutboxRelay({
    reader: storage.outboxReader,
    publisher,
    scheduler,
    intervalMs: 500,
    batchSize: 2,
    onError: (error) => errors.push(error),
    ...overrides,
  })
  return { storage, scheduler, publisher, errors, relay }
}

describe('createOutboxRelay', () => {
  it('drain: relays batch after batch until the outbox is empty, and resolves with how many', async () => {
    const { storage, publisher, relay } = setUp()
    await createClients(storage, 5)
    expect(await relay.drain()).toBe(5)
    expect(publisher.events).toEqual(storage.outboxEvents)
    expect(await relay.drain()).toBe(0)
  })

  it('drain: rejects with the first failure, keeping what earlier batches delivered', async () => {
    const { storage, publisher, relay } = setUp()
    await createClients(storage, 3)
    const failure = new Error('the broker is down')
    let calls = 0
    const flaky: EventPublisher = {
      publish: async (events) => {
        if (++calls === 2) throw failure
        await publisher.publish(events)
      },
    }
    const flakyRelay = createOutboxRelay({
      reader: storage.outboxReader,
      publisher: flaky,
      batchSize: 2,
      onError: () => {},
    })
    await expect(flakyRelay.drain()).rejects.toBe(failure)
    expect(publisher.events).toEqual(storage.outboxEvents.slice(0, 2))
    expect(await relay.drain()).toBe(1)
    expect(publisher.events).toEqual(storage.outboxEvents)
  })

  it('drain: batches of one relay never overlap, even when drains are called together', async () => {
    const storage = createMemoryStorage({ outbox: true })
    await createClients(storage, 6)
    let inFlight = 0
    let most = 0
    const published: OAuthEvent[] = []
    const publisher: EventPublisher = {
      publish: async (events) => {
        inFlight++
        most = Math.max(most, inFlight)
        await new Promise((resolve) => globalThis.setTimeout(resolve, 0))
        published.push(...events)
        inFlight--
      },
    }
    const relay = createOutboxRelay({
      reader: storage.outboxReader,
      publisher,
      batchSize: 1,
      onError: () => {},
    })
    const totals = await Promise.all([relay.drain(), relay.drain(), relay.drain()])
    expect(most).toBe(1)
    expect(totals.reduce((a, b) => a + b, 0)).toBe(6)
    expect(published).toEqual(storage.outboxEvents)
  })

  it('start: polls at once, drains the outbox, then polls again every intervalMs', async () => {
    const { storage, scheduler, publisher, relay } = setUp()
    await createClients(storage, 3)
    relay.start()
    expect(scheduler.pendingDelays()).toEqual([0])
    const roundEnded = scheduler.nextSchedule()
    scheduler.runNext()
    await roundEnded
    expect(publisher.events).toEqual(storage.outboxEvents)
    expect(scheduler.pendingDelays()).toEqual([500])

    await createClients(storage, 1)
    const nextEnded = scheduler.nextSchedule()
    scheduler.runNext()
    await nextEnded
    expect(publisher.events).toEqual(storage.outboxEvents)
    expect(publisher.events).toHaveLength(4)
    await relay.stop()
  })

  it('start: a second start while started schedules nothing more', async () => {
    const { scheduler, relay } = setUp()
    relay.start()
    relay.start()
    expect(scheduler.pendingDelays()).toEqual([0])
    await relay.stop()
  })

  it('start: a failed round goes to onError, and the relay tries again after intervalMs without losing events', async () => {
    const { storage, scheduler, publisher, errors, relay } = setUp()
    await createClients(storage, 2)
    const failure = new Error('the broker is down')
    publisher.failWith = failure
    relay.start()
    const failed = scheduler.nextSchedule()
    scheduler.runNext()
    await failed
    expect(errors).toEqual([failure])
    expect(scheduler.pendingDelays()).toEqual([500])
    publisher.failWith = null
    const recovered = scheduler.nextSchedule()
    scheduler.runNext()
    await recovered
    expect(publisher.events).toEqual(storage.outboxEvents)
    await relay.stop()
  })

  it('start: an onError that throws does not stop the polling', async () => {
    const { storage, scheduler, publisher, relay } = setUp({
      onError: () => {
        throw new Error('the error handler failed')
      },
    })
    await createClients(storage, 1)
    publisher.failWith = new Error('the broker is down')
    relay.start()
    const failed = scheduler.nextSchedule()
    scheduler.runNext()
    await failed
    expect(scheduler.pendingDelays()).toEqual([500])
    await relay.stop()
  })

  it('stop: cancels the next poll; no round runs after it', async () => {
    const { storage, scheduler, publisher, relay } = setUp()
    relay.start()
    await relay.stop()
    expect(scheduler.pendingDelays()).toEqual([])
    await createClients(storage, 1)
    expect(publisher.events).toEqual([])
  })

  it('stop: lets the batch in progress finish and starts no further batch, then resolves', async () => {
    const storage = createMemoryStorage({ outbox: true })
    await createClients(storage, 4)
    const scheduler = createManualScheduler()
    const published: OAuthEvent[] = []
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let entered: () => void = () => {}
    const publishing = new Promise<void>((resolve) => {
      entered = resolve
    })
    const publisher: EventPublisher = {
      publish: async (events) => {
        entered()
        await held
        published.push(...events)
      },
    }
    const relay = createOutboxRelay({
      reader: storage.outboxReader,
      publisher,
      scheduler,
      batchSize: 2,
      onError: () => {},
    })
    relay.start()
    scheduler.runNext()
    await publishing
    let stopped = false
    const stopping = relay.stop().then(() => {
      stopped = true
    })
    await Promise.resolve()
    expect(stopped).toBe(false)
    release()
    await stopping
    expect(published).toEqual(storage.outboxEvents.slice(0, 2))
    expect(scheduler.pendingDelays()).toEqual([])
  })

  it('start after stop polls again', async () => {
    const { storage, scheduler, publisher, relay } = setUp()
    relay.start()
    await relay.stop()
    await createClients(storage, 1)
    relay.start()
    expect(scheduler.pendingDelays()).toEqual([0])
    const ended = scheduler.nextSchedule()
    scheduler.runNext()
    await ended
    expect(publisher.events).toEqual(storage.outboxEvents)
    await relay.stop()
  })

  it('refuses a batchSize or intervalMs that makes no sense, listing both problems', () => {
    const reader: EventOutboxReader = { relayBatch: async () => 0 }
    const create = () =>
      createOutboxRelay({
        reader,
        publisher: recordingPublisher(),
        onError: () => {},
        batchSize: 0,
        intervalMs: -1,
      })
    expect(create).toThrow(ConfigurationError)
    expect(create).toThrow(/batchSize: must be a positive integer[\s\S]*intervalMs: must be a finite number/)
  })

  it('uses globalThis.setTimeout when no scheduler is given: start then stop leaves no timer behind', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const relay = createOutboxRelay({
      reader: storage.outboxReader,
      publisher: recordingPublisher(),
      onError: () => {},
    })
    const pendingTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
    const before = pendingTimers()
    relay.start()
    // The first round finds the outbox empty and schedules the next poll on a real timer.
    for (let turn = 0; turn < 20 && pendingTimers() === before; turn++) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(pendingTimers()).toBeGreaterThan(before)
    await relay.stop()
    expect(pendingTimers()).toBeLessThanOrEqual(before)
    expect(await relay.drain()).toBe(0)
  })
})
