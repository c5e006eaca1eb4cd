import { describe, expect, it } from 'vitest'
import { createSqlStorage } from '../create-sql-storage.js'
import { recordingKysely, testDialect } from '../test-support/test-dialect.js'

// The SQL the reader builds, on Kysely's DummyDriver (no rows): the behaviour is checked by the
// core's EventOutboxReader contract against PostgreSQL, PGlite and MariaDB in their packages.
describe('SQL outbox reader', () => {
  it('exists only on a storage with an outbox', () => {
    const { db } = recordingKysely()
    expect(createSqlStorage(db, testDialect).outboxReader).toBeUndefined()
    expect(typeof createSqlStorage(db, testDialect, { outbox: true }).outboxReader?.relayBatch).toBe(
      'function',
    )
  })

  it('refuses a limit that is not a positive integer', async () => {
    const { db } = recordingKysely()
    const reader = createSqlStorage(db, testDialect, { outbox: true }).outboxReader!
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expect(reader.relayBatch(limit, new Date(), async () => undefined)).rejects.toThrow(RangeError)
    }
  })
})
