import {
  createIssuanceProcedure,
  dropIssuanceProcedure,
  type IssuanceProcedure,
} from '../atomic-issuance/issuance-procedures.js'
import type { MigrationDb, SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import type { Migration } from './migration.js'

const PROCEDURES: readonly IssuanceProcedure[] = ['redeemCode', 'rotateRefreshToken']

/**
 * The migration `0003_atomic_issuance`: on a dialect that writes code exchanges and rotations
 * with stored procedures (MySQL), creates `<prefix>redeem_code` and `<prefix>rotate_refresh_token`;
 * elsewhere it does nothing. Each is dropped first, so a rerun after a failure (MySQL cannot roll
 * DDL back) starts clean. The procedures name every column of the token tables: a later
 * migration that changes those tables must recreate them. Needs the `CREATE ROUTINE` privilege
 * (and `ALTER ROUTINE` to drop); callers need `EXECUTE`.
 */
export function atomicIssuanceProcedures(names: TableNames, dialect: SqlDialect): Migration {
  const applies = dialect.atomicIssuance === 'stored-procedure'
  return {
    up: async (db) => {
      if (applies) await recreateProcedures(db, names, dialect, PROCEDURES)
    },
    down: async (db) => {
      if (!applies) return
      for (const procedure of PROCEDURES) await dropIssuanceProcedure(procedure, names).execute(db)
    },
  }
}

/**
 * Drops then creates each procedure as the current code writes it, so a rerun after a failure
 * (MySQL cannot roll DDL back) starts clean.
 */
export async function recreateProcedures(
  db: MigrationDb,
  names: TableNames,
  dialect: SqlDialect,
  procedures: readonly IssuanceProcedure[],
): Promise<void> {
  const { collation } = await dialect.schemaTypes(db)
  if (collation === null) throw new Error(`The ${dialect.name} dialect names no collation for procedures`)
  for (const procedure of procedures) {
    await dropIssuanceProcedure(procedure, names).execute(db)
    await createIssuanceProcedure(procedure, names, collation).execute(db)
  }
}
