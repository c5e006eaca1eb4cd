import { buildClientRecord } from '@sp-oauth/core/testing'
import { describe, expect, it } from 'vitest'
import { createSqlStorage } from './create-sql-storage.js'
import { recordingKysely, SerializationFailure, testDialect } from './test-support/test-dialect.js'

// The retry rules of the unit of work, on Kysely's DummyDriver (transactions that do nothing): the
// real serialization failures are exercised against PostgreSQL and MariaDB in their packages.
function storage(maxAttempts = 3) {
  const { db, queries } = recordingKysely()
  const retry = { maxAttempts, baseDelayMs: 0, maxDelayMs: 0 }
  return { storage: createSqlStorage(db, testDialect, { retry }), queries }
}

describe('unit of work', () => {
  it('runs work in one transaction at the dialect isolation level and resolves with its value', async () => {
    const { storage: s, queries } = storage()
    const value = await s.unitOfWork.run(async (tx) => {
      await tx.clients.insert(buildClientRecord())
      return 42
    })
    expect(value).toBe(42)
    expect(queries.map((query) => query.sql.split(' ')[0])).toEqual(['insert'])
  })

  it('runs work again from the start after a retryable failure, with fresh repositories', async () => {
    const { storage: s } = storage()
    const seen: unknown[] = []
    const value = await s.unitOfWork.run(async (tx) => {
      seen.push(tx)
      if (seen.length < 3) throw new SerializationFailure('could not serialize access')
      return 'third time'
    })
    expect(value).toBe('third time')
    expect(seen).toHaveLength(3)
    expect(new Set(seen).size).toBe(3)
  })

  it('gives up after maxAttempts runs and rejects with the last failure', async () => {
    const { storage: s } = storage(2)
    let runs = 0
    const failure = new SerializationFailure('still failing')
    await expect(
      s.unitOfWork.run(async () => {
        runs++
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(runs).toBe(2)
  })

  it('rejects at once, with the same error, when work fails for any other reason', async () => {
    const { storage: s } = storage()
    let runs = 0
    const failure = new Error('not a serialization failure')
    await expect(
      s.unitOfWork.run(async () => {
        runs++
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(runs).toBe(1)
  })

  it('hands out an outbox only when configured to', async () => {
    const { db } = recordingKysely()
    const without = createSqlStorage(db, testDialect)
    const withOutbox = createSqlStorage(db, testDialect, { outbox: true })
    expect(await without.unitOfWork.run(async (tx) => tx.outbox)).toBeUndefined()
    expect(await withOutbox.unitOfWork.run(async (tx) => typeof tx.outbox?.append)).toBe('function')
  })
})
