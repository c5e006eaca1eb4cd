import { ConfigurationError } from '@sp-oauth/core'
import { describe, expect, it } from 'vitest'
import { DEFAULT_TABLE_PREFIX, resolveTableNames, TABLE_NAMES } from './table-names.js'

describe('resolveTableNames', () => {
  it('prefixes every table, index and migration table with sp_oauth_ by default', () => {
    const names = resolveTableNames()
    expect(DEFAULT_TABLE_PREFIX).toBe('sp_oauth_')
    expect(Object.values(names.tables)).toEqual(TABLE_NAMES.map((table) => `sp_oauth_${table}`))
    expect(names.migrationTable).toBe('sp_oauth_migration')
    expect(names.migrationLockTable).toBe('sp_oauth_migration_lock')
    expect(names.index('clients_pk')).toBe('sp_oauth_clients_pk')
    expect(names.schema).toBeNull()
  })

  it('takes a prefix (empty included) and a schema', () => {
    expect(resolveTableNames({ tablePrefix: 'app2_', schema: 'auth' })).toMatchObject({
      prefix: 'app2_',
      schema: 'auth',
      migrationTable: 'app2_migration',
      tables: { clients: 'app2_clients' },
    })
    expect(resolveTableNames({ tablePrefix: '' }).tables.event_outbox).toBe('event_outbox')
  })

  it.each(['Upper_', '1abc_', 'a-b_', 'a b', 'x"; drop table clients; --', `${'a'.repeat(33)}`])(
    'refuses the prefix %j with a ConfigurationError',
    (tablePrefix) => {
      expect(() => resolveTableNames({ tablePrefix })).toThrow(ConfigurationError)
    },
  )

  it('lists every bad option in one ConfigurationError', () => {
    const error = (() => {
      try {
        resolveTableNames({ tablePrefix: 'Bad', schema: 'also bad' })
      } catch (caught) {
        return caught
      }
      return null
    })()
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as ConfigurationError).problems).toHaveLength(2)
    expect(() => resolveTableNames({ schema: '' })).toThrow(ConfigurationError)
    expect(() => resolveTableNames({ schema: 'a'.repeat(64) })).toThrow(ConfigurationError)
  })

  it('keeps every index name within 63 characters (PostgreSQL) for the longest prefix', () => {
    const names = resolveTableNames({ tablePrefix: 'a'.repeat(32) })
    expect(names.index('authorization_codes_client_fk').length).toBeLessThanOrEqual(63)
    expect(names.migrationLockTable.length).toBeLessThanOrEqual(63)
  })
})
