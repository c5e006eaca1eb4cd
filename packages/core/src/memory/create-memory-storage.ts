import type { Storage } from '../config/options.js'
import type { OAuthEvent } from '../domain/events.js'
import type { TransactionalRepositories, UnitOfWork } from '../ports/unit-of-work.js'
import { AsyncMutex } from './async-mutex.js'
import { createMemoryRepositories, memoryOutbox, type TableAccess } from './memory-repositories.js'
import { commitTables, createTables, stageTables } from './memory-tables.js'

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** Give units of work an outbox, so events are stored with the change instead of published. */
  readonly outbox?: boolean
}

/** In-memory storage, plus what tests want to look at. */
export interface MemoryStorage extends Storage {
  /** Events appended to the outbox by committed units of work (with `outbox: true`). */
  readonly outboxEvents: readonly OAuthEvent[]
}

/**
 * Every storage port in memory, for tests, examples and trying things out: state lives in this
 * process and is gone when it ends. Units of work run one at a time and stage their writes, so a
 * rejected unit leaves nothing behind and nobody reads what is not committed; every single write
 * is atomic, so concurrent callers of `consume` or `markRotated` get exactly one winner.
 * A unit of work must not start another one inside it (it would wait for itself).
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  const tables = createTables()
  const mutex = new AsyncMutex()

  const committedAccess: TableAccess = (mode, operation) => {
    if (mode === 'read') return Promise.resolve().then(() => operation(tables))
    return mutex.run(async () => {
      const staged = stageTables(tables)
      const result = operation(staged)
      commitTables(staged)
      return result
    })
  }

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
        tables.outbox.push(...pending)
        return result
      }),
  }

  return {
    repositories: createMemoryRepositories(committedAccess),
    unitOfWork,
    outboxEvents: tables.outbox,
  }
}
