import {
  type AtomicIssuance,
  ISSUANCE_RESULTS,
  type IssuanceResult,
  type IssuedTokenRecords,
} from '@sp-oauth/core'
import { CompiledQuery, type Kysely } from 'kysely'
import type { SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import {
  type IssuanceProcedure,
  issuanceProcedureArguments,
  issuanceProcedureNames,
} from './issuance-procedures.js'
import { toIssuedRows } from './issued-rows.js'

/**
 * Every issuance as one `CALL` of the stored procedures the migration `0005_issuance_client_live`
 * (re)creates (see `createIssuanceProcedure`): MySQL has no data-modifying `WITH`, and a
 * transaction from here would cost a round trip per statement.
 */
export function procedureIssuance(
  db: Kysely<SpOAuthDatabase>,
  dialect: SqlDialect,
  names: TableNames,
  options: { readonly eventsGoToOutbox: boolean },
): Omit<AtomicIssuance, 'eventsGoToOutbox'> {
  const procedures = issuanceProcedureNames(names)
  // The text of a call depends only on the procedure and its argument count: made once each, not
  // built and compiled by Kysely on every issuance. The names come from the checked prefix.
  const callTexts = new Map<string, string>()
  const callText = (procedure: IssuanceProcedure, count: number): string => {
    const key = `${procedure}:${count}`
    let text = callTexts.get(key)
    if (text === undefined) {
      text = `call \`${procedures[procedure]}\`(${Array.from({ length: count }, () => '?').join(', ')})`
      callTexts.set(key, text)
    }
    return text
  }
  const won = options.eventsGoToOutbox ? ISSUANCE_RESULTS.issuedWithEvents : ISSUANCE_RESULTS.issued
  const call = async (
    procedure: IssuanceProcedure,
    claim: readonly unknown[],
    issued: IssuedTokenRecords,
  ): Promise<IssuanceResult> => {
    const values = issuanceProcedureArguments(claim, issued.now, toIssuedRows(dialect, issued, options))
    const { rows: results } = await db.executeQuery<unknown>(
      CompiledQuery.raw(callText(procedure, values.length), values),
    )
    const outcome = outcomeOf(results)
    if (outcome.won) return won
    return outcome.live ? ISSUANCE_RESULTS.alreadyUsed : ISSUANCE_RESULTS.clientRevoked
  }
  return {
    issueAccessToken: (issuance) => call('issueAccessToken', [], issuance),
    redeemCode: (redemption) => call('redeemCode', [redemption.codeHash], redemption),
    rotateRefreshToken: (rotation) =>
      call('rotateRefreshToken', [rotation.tokenHash, rotation.supersede === true], rotation),
  }
}

/**
 * The `won` and `live` the procedure selected. mysql2 answers a `CALL` with one entry per result
 * set and a closing status, which Kysely hands on as the rows: `[[{ won: 1, live: 1 }], { … }]`.
 *
 * @throws Error when the answer has no `won`, rather than guess.
 */
export function outcomeOf(results: readonly unknown[]): { readonly won: boolean; readonly live: boolean } {
  const first = results[0]
  const row: unknown = Array.isArray(first) ? first[0] : first
  const { won, live } =
    typeof row === 'object' && row !== null ? (row as { won?: unknown; live?: unknown }) : {}
  if (won === undefined || won === null) throw new Error('The issuance procedure returned no result')
  return { won: Number(won) === 1, live: Number(live) === 1 }
}
