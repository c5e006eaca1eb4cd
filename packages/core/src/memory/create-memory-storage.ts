import type { Storage } from '../config/options.js'
import { eventAggregateId } from '../domain/event-aggregate-id.js'
import type { OAuthEvent } from '../domain/events.js'
import type { EventOutboxReader } from '../ports/event-outbox-reader.js'
import type { TransactionalRepositories, UnitOfWork } from '../ports/unit-of-work.js'
import { AsyncMutex } from './async-mutex.js'
import { type CriticalSection, memoryAtomicIssuance } from './memory-atomic-issuance.js'
import { createMemoryOutboxReader } from './memory-outbox-reader.js'
import { copyData, createMemoryRepositories, memoryOutbox, type TableAccess } from './memory-repositories.js'
import { type CommittedTables, commitTables, createTables, stageTables } from './memory-tables.js'

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** Give units of work an outbox, so events are stored with the change instead of published. */
  readonly outbox?: boolean
  /**
   * Offer `atomicIssuance`, so the core redeems codes and rotates refresh tokens in one step each
   * (as it does on PostgreSQL and MySQL), without a unit of work: faster, the same guarantees.
   * Default `false`, so the core's unit-of-work path is what a plain memory storage exercises.
   */
  readonly atomicIssuance?: boolean
}

/** In-memory storage, plus what tests want to look at. */
export interface MemoryStorage extends Storage {
  /** Events appended to the outbox by committed units of work (with `outbox: true`). */
  readonly outboxEvents: readonly OAuthEvent[]
  /**
   * Reads the outbox for a relay (`createOutboxRelay`), with `outbox: true`; absent otherwise.
   * Batches do not hold the storage's lock while they deliver.
   */
  readonly outboxReader?: EventOutboxReader
}

/** In-memory storage with an outbox, and the reader a relay delivers it with. */
export interface MemoryStorageWithOutbox extends MemoryStorage {
  readonly outboxReader: EventOutboxReader
}

/**
 * Every storage port in memory, for tests, examples and trying things out: state lives in this
 * process and is gone when it ends. Units of work run one at a time and stage their writes, so a
 * rejected unit leaves nothing behind and nobody reads what is not committed; every single write
 * is atomic, so concurrent callers of `consume` or `markRotated` get exactly one winner.
 * A unit of work must not start another one inside it (it would wait for itself).
 */
export function createMemoryStorage(
  options: MemoryStorageOptions & { readonly outbox: true },
): MemoryStorageWithOutbox
export function createMemoryStorage(options?: MemoryStorageOptions): MemoryStorage
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  const tables = createTables()
  const mutex = new AsyncMutex()

  const critical: CriticalSection = (step) =>
    mutex.run(async () => {
      const staged = stageTables(tables)
      const result = step(staged)
      commitTables(staged)
      return result
    })
  const committedAccess: TableAccess = (mode, operation) =>
    mode === 'read' ? Promise.resolve().then(() => operation(tables)) : critical(operation)

  const unitOfWork: UnitOfWork = {
    run: (work) =>
      mutex.run(async () => {
        const staged = stageTables(tables)
        const pending: OAuthEvent[] = []
        const access: TableAccess = (_mode, operation) => Promise.resolve().then(() => operation(staged))
        const repositories: TransactionalRepositories = {
          ...createMemoryRepositories(access),
          ...(options.outbox ? { outbox: memoryOutbox(pending) } : {}),
        }
        const result = await work(repositories)
        commitTables(staged)
        appendCommitted(tables, pending)
        return result
      }),
  }

  return {
    repositories: createMemoryRepositories(committedAccess),
    unitOfWork,
    ...(options.atomicIssuance
      ? {
          atomicIssuance: memoryAtomicIssuance(
            critical,
            options.outbox ? (events) => appendCommitted(tables, events) : null,
          ),
        }
      : {}),
    outboxEvents: tables.outbox,
    ...(options.outbox ? { outboxReader: createMemoryOutboxReader(tables.outboxRows) } : {}),
  }
}

/** Stores the events of a committed unit of work, each as the next outbox entry. */
function appendCommitted(tables: CommittedTables, events: readonly OAuthEvent[]): void {
  let sequence = tables.outboxRows.at(-1)?.sequence ?? 0
  for (const event of events) {
    tables.outbox.push(event)
    const copy = Object.freeze(copyData(event))
    tables.outboxRows.push({
      sequence: ++sequence,
      aggregateId: eventAggregateId(copy),
      event: copy,
      deliveredAt: null,
      claimedBy: null,
    })
  }
}
