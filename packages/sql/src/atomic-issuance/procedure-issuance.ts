import type { AtomicIssuance } from '@sp-oauth/core'
import { type Kysely, sql } from 'kysely'
import type { SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import {
  type IssuanceProcedure,
  issuanceProcedureArguments,
  issuanceProcedureNames,
} from './issuance-procedures.js'
import { type IssuedRows, toIssuedRows } from './issued-rows.js'

/**
 * Code exchange and rotation as one `CALL` each of the stored procedures the migration
 * `0003_atomic_issuance` creates (see `createIssuanceProcedure`): MySQL has no
 * data-modifying `WITH`, and a transaction from here would cost a round trip per statement.
 */
export function procedureIssuance(
  db: Kysely<SpOAuthDatabase>,
  dialect: SqlDialect,
  names: TableNames,
  options: { readonly eventsGoToOutbox: boolean },
): Omit<AtomicIssuance, 'eventsGoToOutbox'> {
  const procedures = issuanceProcedureNames(names)
  const call = async (procedure: IssuanceProcedure, hash: string, now: Date, rows: IssuedRows) => {
    const values = issuanceProcedureArguments(hash, now, rows)
    const { rows: results } = await sql`call ${sql.id(procedures[procedure])}(${sql.join(values)})`.execute(
      db,
    )
    return wonOf(results)
  }
  return {
    redeemCode: (redemption) =>
      call('redeemCode', redemption.codeHash, redemption.now, toIssuedRows(dialect, redemption, options)),
    rotateRefreshToken: (rotation) =>
      call('rotateRefreshToken', rotation.tokenHash, rotation.now, toIssuedRows(dialect, rotation, options)),
  }
}

/**
 * The `won` the procedure selected. mysql2 answers a `CALL` with one entry per result set and a
 * closing status, which Kysely hands on as the rows: `[[{ won: 1 }], { affectedRows, … }]`.
 *
 * @throws Error when the answer has no `won`, rather than guess.
 */
export function wonOf(results: readonly unknown[]): boolean {
  const first = results[0]
  const row: unknown = Array.isArray(first) ? first[0] : first
  const won = typeof row === 'object' && row !== null ? (row as { won?: unknown }).won : undefined
  if (won === undefined || won === null) throw new Error('The issuance procedure returned no result')
  return Number(won) === 1
}
