import { describe, expect, it } from 'vitest'
import { createTestClient, createTestServer } from '../test-support/test-server.js'
import { createMemoryStorage } from './create-memory-storage.js'

describe('memory outbox reader', () => {
  it('is there only with outbox: true', () => {
    expect(createMemoryStorage().outboxReader).toBeUndefined()
    expect(createMemoryStorage({ outbox: false }).outboxReader).toBeUndefined()
    expect(createMemoryStorage({ outbox: true }).outboxReader).toBeDefined()
  })

  it('refuses a limit that is not a positive integer, delivering nothing', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const { server } = createTestServer({ storage })
    await createTestClient(server)
    let calls = 0
    const deliver = async () => {
      calls++
    }
    for (const limit of [0, -1, 2.5, Number.NaN]) {
      await expect(storage.outboxReader.relayBatch(limit, new Date(), deliver)).rejects.toBeInstanceOf(
        RangeError,
      )
    }
    expect(calls).toBe(0)
    expect(await storage.outboxReader.relayBatch(1, new Date(), deliver)).toBe(1)
  })

  it('a batch does not hold the storage lock while it delivers: units of work commit meanwhile, and come in a later batch', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const { server } = createTestServer({ storage })
    await createTestClient(server)
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const first = storage.outboxReader.relayBatch(10, new Date(), () => held)
    await createTestClient(server)
    release()
    expect(await first).toBe(1)
    const later: string[] = []
    await storage.outboxReader.relayBatch(10, new Date(), async (entries) => {
      later.push(...entries.map((entry) => entry.event.id))
    })
    expect(later).toEqual([storage.outboxEvents[1]!.id])
  })
})
