import { storageContract } from '../testing/index.js'
import { createMemoryStorage } from './create-memory-storage.js'

storageContract('memory storage', async () => ({ storage: createMemoryStorage() }))

storageContract('memory storage with an outbox', async () => {
  const storage = createMemoryStorage({ outbox: true })
  return { storage, readOutbox: async () => [...storage.outboxEvents], outboxReader: storage.outboxReader }
})
