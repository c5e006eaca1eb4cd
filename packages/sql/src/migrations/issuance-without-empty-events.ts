import { ISSUANCE_PROCEDURES } from '../atomic-issuance/issuance-procedures.js'
import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import { recreateProcedures } from './atomic-issuance-procedures.js'
import type { Migration } from './migration.js'

/**
 * The migration `0010_issuance_without_empty_events`: on a dialect that issues tokens with stored
 * procedures (MySQL), recreates the three issuance procedures as they are now, which skip the
 * outbox insert when a call carries no events (every call, without an outbox). Elsewhere it does
 * nothing. `down` leaves them: the procedures it replaced behave the same, one statement slower.
 */
export function issuanceWithoutEmptyEvents(names: TableNames, dialect: SqlDialect): Migration {
  const applies = dialect.atomicIssuance === 'stored-procedure'
  return {
    up: async (db) => {
      if (applies) await recreateProcedures(db, names, dialect, ISSUANCE_PROCEDURES)
    },
    down: async () => {},
  }
}
