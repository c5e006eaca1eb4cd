import { describe, expect, it } from 'vitest'
import type { Storage } from '../../config/options.js'
import type { ClientRecord } from '../../domain/client.js'
import { createMemoryStorage } from '../../memory/create-memory-storage.js'
import { createTestClient, createTestServer } from '../../test-support/test-server.js'
import { createFakeClock } from '../../testing/fake-clock.js'
import { createClientRevocationCache } from './client-revocation-cache.js'

/** The memory storage with its client reads counted, and made to fail while `failing` is set. */
function countingStorage(base: Storage = createMemoryStorage()) {
  const state = { reads: 0, failing: false }
  const clients = base.repositories.clients
  const storage: Storage = {
    ...base,
    repositories: {
      ...base.repositories,
      clients: {
        ...clients,
        findById: async (clientId: string): Promise<ClientRecord | null> => {
          state.reads += 1
          if (state.failing) throw new Error('database down')
          return clients.findById(clientId)
        },
      },
    },
  }
  return { storage, state }
}

async function liveClientIn(storage: Storage): Promise<string> {
  const { server } = createTestServer({ storage })
  return (await createTestClient(server)).id
}

describe('ClientRevocationCache', () => {
  it('reads a client once per TTL, however many checks ask at once', async () => {
    const { storage, state } = countingStorage()
    const clientId = await liveClientIn(storage)
    const clock = createFakeClock()
    const cache = createClientRevocationCache(storage, clock, 30)
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.isRevoked(clientId)))
    expect(answers.every((revoked) => revoked === false)).toBe(true)
    expect(state.reads).toBe(1)
    clock.advanceSeconds(29)
    await cache.isRevoked(clientId)
    expect(state.reads).toBe(1)
    clock.advanceSeconds(1)
    await cache.isRevoked(clientId)
    expect(state.reads).toBe(2)
  })

  it('sees a revocation made elsewhere once the live answer is older than the TTL', async () => {
    const { storage } = countingStorage()
    const clientId = await liveClientIn(storage)
    const clock = createFakeClock()
    const cache = createClientRevocationCache(storage, clock, 30)
    expect(await cache.isRevoked(clientId)).toBe(false)
    await storage.repositories.clients.revoke(clientId, clock.now())
    expect(await cache.isRevoked(clientId)).toBe(false)
    clock.advanceSeconds(30)
    expect(await cache.isRevoked(clientId)).toBe(true)
  })

  it('keeps a revoked answer without reading again, and treats an unknown client as revoked', async () => {
    const { storage, state } = countingStorage()
    const clientId = await liveClientIn(storage)
    const clock = createFakeClock()
    await storage.repositories.clients.revoke(clientId, clock.now())
    const cache = createClientRevocationCache(storage, clock, 30)
    expect(await cache.isRevoked(clientId)).toBe(true)
    clock.advanceDays(1)
    expect(await cache.isRevoked(clientId)).toBe(true)
    expect(state.reads).toBe(1)
    expect(await cache.isRevoked('no-such-client')).toBe(true)
  })

  it('markRevoked takes effect at once, over a live answer still inside its TTL', async () => {
    const { storage, state } = countingStorage()
    const clientId = await liveClientIn(storage)
    const cache = createClientRevocationCache(storage, createFakeClock(), 30)
    expect(await cache.isRevoked(clientId)).toBe(false)
    cache.markRevoked(clientId)
    expect(await cache.isRevoked(clientId)).toBe(true)
    expect(state.reads).toBe(1)
  })

  it('noteLive spares the next checks a read, but never overrides a revocation or a read in flight', async () => {
    const { storage, state } = countingStorage()
    const clientId = await liveClientIn(storage)
    const revokedId = await liveClientIn(storage)
    const clock = createFakeClock()
    const cache = createClientRevocationCache(storage, clock, 30)
    cache.noteLive(clientId)
    expect(await cache.isRevoked(clientId)).toBe(false)
    expect(state.reads).toBe(0)
    cache.markRevoked(revokedId)
    cache.noteLive(revokedId)
    expect(await cache.isRevoked(revokedId)).toBe(true)
    // A read in flight that will find the client revoked is not replaced by a live note.
    await storage.repositories.clients.revoke(clientId, clock.now())
    clock.advanceSeconds(30)
    const pending = cache.isRevoked(clientId)
    cache.noteLive(clientId)
    expect(await pending).toBe(true)
    expect(await cache.isRevoked(clientId)).toBe(true)
    expect(state.reads).toBe(1)
  })

  it('does not remember a failed read: the check rejects, and the next one reads again', async () => {
    const { storage, state } = countingStorage()
    const clientId = await liveClientIn(storage)
    const cache = createClientRevocationCache(storage, createFakeClock(), 30)
    state.failing = true
    await expect(cache.isRevoked(clientId)).rejects.toThrow('database down')
    state.failing = false
    expect(await cache.isRevoked(clientId)).toBe(false)
    expect(state.reads).toBe(2)
  })

  it('with a TTL of 0, reads on every check', async () => {
    const { storage, state } = countingStorage()
    const clientId = await liveClientIn(storage)
    const cache = createClientRevocationCache(storage, createFakeClock(), 0)
    await cache.isRevoked(clientId)
    await cache.isRevoked(clientId)
    expect(state.reads).toBe(2)
  })

  it('remembers at most its bound of clients, forgetting the least recently read first', async () => {
    const { storage, state } = countingStorage()
    const ids = [await liveClientIn(storage), await liveClientIn(storage), await liveClientIn(storage)]
    const cache = createClientRevocationCache(storage, createFakeClock(), 30, 2)
    for (const id of ids) await cache.isRevoked(id)
    expect(state.reads).toBe(3)
    await cache.isRevoked(ids[2]!)
    await cache.isRevoked(ids[1]!)
    expect(state.reads).toBe(3)
    await cache.isRevoked(ids[0]!)
    expect(state.reads).toBe(4)
  })
})
