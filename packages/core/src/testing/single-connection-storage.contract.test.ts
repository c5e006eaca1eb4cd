// The kit against a storage that, like PGlite, has one connection: a plain call waits while a unit
// of work or an outbox batch is open. With `singleConnection: true` no test may wait for itself.
import { AsyncMutex } from '../memory/async-mutex.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import { storageContract } from './index.js'
import type { StorageUnderTest } from './storage-factory.js'

/** Runs every call of `repository` through `connection`, one at a time. */
function queued<T extends object>(repository: T, connection: AsyncMutex): T {
  const methods = Object.entries(repository as Record<string, (...args: unknown[]) => Promise<unknown>>)
  return Object.fromEntries(
    methods.map(([name, method]) => [
      name,
      (...args: unknown[]) => connection.run(() => method.apply(repository, args)),
    ]),
  ) as T
}

/** Memory storage (with an outbox) behind one queue, as a one-connection database would be. */
function createSingleConnectionStorage(): StorageUnderTest {
  const inner = createMemoryStorage({ outbox: true })
  const connection = new AsyncMutex()
  const { repositories } = inner
  return {
    storage: {
      repositories: {
        clients: queued(repositories.clients, connection),
        authorizationCodes: queued(repositories.authorizationCodes, connection),
        accessTokens: queued(repositories.accessTokens, connection),
        refreshTokens: queued(repositories.refreshTokens, connection),
        consents: queued(repositories.consents, connection),
        consentTickets: queued(repositories.consentTickets, connection),
        signingKeys: queued(repositories.signingKeys, connection),
      },
      unitOfWork: { run: (work) => connection.run(() => inner.unitOfWork.run(work)) },
    },
    readOutbox: () => connection.run(async () => [...inner.outboxEvents]),
    // A batch holds the connection while it delivers, as one transaction on PGlite would.
    outboxReader: {
      relayBatch: (limit, now, deliver) =>
        connection.run(() => inner.outboxReader.relayBatch(limit, now, deliver)),
    },
  }
}

storageContract('memory storage on one connection', async () => createSingleConnectionStorage(), {
  singleConnection: true,
})
