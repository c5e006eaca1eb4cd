import { describe, expect, it } from 'vitest'
import { createSqlStorage } from './create-sql-storage.js'
import { recordingKysely, testDialect } from './test-support/test-dialect.js'

// The statements pruneExpired builds, on Kysely's DummyDriver (no rows): what it deletes is checked
// against PostgreSQL and MariaDB in their packages.
describe('pruneExpired', () => {
  it('with nothing to delete, asks one batch per table, with every instant a parameter, and deletes nothing', async () => {
    const { db, queries } = recordingKysely()
    const now = new Date('2030-06-01T00:00:00.000Z')
    const result = await createSqlStorage(db, testDialect).pruneExpired({ now, batchSize: 10 })
    expect(result).toEqual({ authorizationCodes: 0, accessTokens: 0, refreshTokens: 0, eventOutbox: 0 })
    expect(queries.map((query) => query.sql.split(' ')[0])).toEqual(['select', 'select', 'select', 'select'])
    const day = 24 * 60 * 60 * 1000
    const parameters = queries.flatMap((query) => query.parameters)
    for (const days of [1, 30, 60, 7]) {
      expect(parameters).toContainEqual(new Date(now.getTime() - days * day))
    }
    expect(queries.every((query) => query.parameters.includes(10))).toBe(true)
  })
})
