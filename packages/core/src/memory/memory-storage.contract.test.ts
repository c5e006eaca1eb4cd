import { describe } from 'vitest'
import { atomicIssuanceContract, storageContract } from '../testing/index.js'
import { createMemoryStorage } from './create-memory-storage.js'

storageContract('memory storage', async () => ({ storage: createMemoryStorage() }))

storageContract('memory storage with an outbox', async () => {
  const storage = createMemoryStorage({ outbox: true })
  return { storage, readOutbox: async () => [...storage.outboxEvents], outboxReader: storage.outboxReader }
})

describe('memory storage with atomicIssuance', () => {
  atomicIssuanceContract(async () => ({ storage: createMemoryStorage({ atomicIssuance: true }) }))
})

describe('memory storage with atomicIssuance and an outbox', () => {
  atomicIssuanceContract(async () => {
    const storage = createMemoryStorage({ outbox: true, atomicIssuance: true })
    return { storage, readOutbox: async () => [...storage.outboxEvents] }
  })
})
