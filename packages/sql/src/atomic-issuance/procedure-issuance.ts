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
  ACCESS_TOKEN_COLUMN_NAMES,
  type IssuanceProcedure,
  issuanceProcedureArguments,
  issuanceProcedureNames,
} from './issuance-procedures.js'
import { toIssuedRows } from './issued-rows.js'

/**
 * Every issuance as one `CALL` of the stored procedures the migration `0005_issuance_client_live`
 * (re)creates (see `createIssuanceProcedure`): MySQL has no data-modifying `WITH`, and a
 * transaction from here would cost a round trip per statement. A client_credentials issuance
 * without outbox events writes one row, so it is one `INSERT … SELECT … FROM clients WHERE id = ?
 * AND revoked_at IS NULL LOCK IN SHARE MODE` instead, atomic on its own: the share lock on the
 * client row conflicts with `revokeClient`'s update exactly as the procedure's does, at a third
 * less of the database's time than a procedure call (its own transaction, three statements).
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
  const insertText = accessTokenInsert(names)
  const issueAccessToken = async (issuance: IssuedTokenRecords): Promise<IssuanceResult> => {
    const rows = toIssuedRows(dialect, issuance, options)
    if (rows.events.length > 0) return call('issueAccessToken', [], issuance)
    const token = rows.accessToken
    const values = [...ACCESS_TOKEN_COLUMN_NAMES.map((column) => token[column] ?? null), token.client_id]
    const result = await db.executeQuery(CompiledQuery.raw(insertText, values))
    return result.numAffectedRows === 1n ? won : ISSUANCE_RESULTS.clientRevoked
  }
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
    issueAccessToken,
    redeemCode: (redemption) => call('redeemCode', [redemption.codeHash], redemption),
    rotateRefreshToken: (rotation) =>
      call('rotateRefreshToken', [rotation.tokenHash, rotation.supersede === true], rotation),
  }
}

/** The text of the direct client_credentials insert, from the checked table names. */
function accessTokenInsert(names: TableNames): string {
  const table = (name: 'access_tokens' | 'clients'): string =>
    `${names.schema === null ? '' : `\`${names.schema}\`.`}\`${names.tables[name]}\``
  const columns = ACCESS_TOKEN_COLUMN_NAMES.map((column) => `\`${column}\``).join(', ')
  const placeholders = ACCESS_TOKEN_COLUMN_NAMES.map(() => '?').join(', ')
  return (
    `insert into ${table('access_tokens')} (${columns}) select ${placeholders} from ${table('clients')} ` +
    'where `id` = ? and `revoked_at` is null lock in share mode'
  )
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
