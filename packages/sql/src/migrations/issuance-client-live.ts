import { dropIssuanceProcedure, ISSUANCE_PROCEDURES } from '../atomic-issuance/issuance-procedures.js'
import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import { recreateProcedures } from './atomic-issuance-procedures.js'
import type { Migration } from './migration.js'

/**
 * The migration `0005_issuance_client_live`: on a dialect that issues tokens with stored
 * procedures (MySQL), (re)creates `<prefix>issue_access_token`, `<prefix>redeem_code` and
 * `<prefix>rotate_refresh_token` as they are now: each refuses a revoked client (reading its row
 * `LOCK IN SHARE MODE`, so it serialises with `revokeClient`), and a rotation can supersede the
 * token (a retry within the reuse grace period). Elsewhere it does nothing. Each is dropped first,
 * so a rerun after a failure (MySQL cannot roll DDL back) starts clean. Needs the `CREATE ROUTINE`
 * privilege (and `ALTER ROUTINE` to drop); callers need `EXECUTE`. `down` drops
 * `issue_access_token` only: the other two are then `0003_atomic_issuance`'s to recreate.
 */
export function issuanceClientLive(names: TableNames, dialect: SqlDialect): Migration {
  const applies = dialect.atomicIssuance === 'stored-procedure'
  return {
    up: async (db) => {
      if (applies) await recreateProcedures(db, names, dialect, ISSUANCE_PROCEDURES)
    },
    down: async (db) => {
      if (!applies) return
      await dropIssuanceProcedure('issueAccessToken', names).execute(db)
    },
  }
}
