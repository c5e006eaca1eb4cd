import { describe, expect, it } from 'vitest'
import { createSqlStorage } from './create-sql-storage.js'
import { recordingKysely, testDialect } from './test-support/test-dialect.js'

// The statements pruneExpired builds, on Kysely's DummyDriver (no rows): what it deletes is checked
// against PostgreSQL and MariaDB in their packages.
describe('pruneExpired', () => {
  it('with nothing to delete, asks one batch per table (per column for tokens), with every instant a parameter, and deletes nothing', async () => {
    const { db, queries } = recordingKysely()
    const now = new Date('2030-06-01T00:00:00.000Z')
    const result = await createSqlStorage(db, testDialect).pruneExpired({ now, batchSize: 10 })
    expect(result).toEqual({
      authorizationCodes: 0,
      accessTokens: 0,
      refreshTokens: 0,
      eventOutbox: 0,
      consentTickets: 0,
    })
    expect(queries.map((query) => query.sql.split(' ')[0])).toEqual(Array(7).fill('select'))
    const day = 24 * 60 * 60 * 1000
    const parameters = queries.flatMap((query) => query.parameters)
    for (const days of [1, 30, 60, 7]) {
      expect(parameters).toContainEqual(new Date(now.getTime() - days * day))
    }
    expect(queries.every((query) => query.parameters.includes(10))).toBe(true)
  })

  it('selects each batch by one range condition on one column, never an OR of two, so an index range serves it', async () => {
    const { db, queries } = recordingKysely()
    await createSqlStorage(db, testDialect).pruneExpired({ now: new Date('2030-06-01T00:00:00.000Z') })
    const ranges = queries.map((query) => ({
      table: /from "(\w+)"/.exec(query.sql)?.[1],
      columns: [...query.sql.matchAll(/"(\w+)" < \$\d+/g)].map((match) => match[1]),
    }))
    expect(ranges).toEqual([
      { table: 'sp_oauth_authorization_codes', columns: ['expires_at'] },
      { table: 'sp_oauth_refresh_tokens', columns: ['expires_at'] },
      { table: 'sp_oauth_refresh_tokens', columns: ['revoked_at'] },
      { table: 'sp_oauth_access_tokens', columns: ['expires_at'] },
      { table: 'sp_oauth_access_tokens', columns: ['revoked_at'] },
      { table: 'sp_oauth_event_outbox', columns: ['delivered_at'] },
      { table: 'sp_oauth_consent_tickets', columns: ['expires_at'] },
    ])
  })
})
