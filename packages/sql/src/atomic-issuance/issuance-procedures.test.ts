import type { OAuthEvent } from '@sp-oauth/core'
import { buildAccessTokenRecord, buildRefreshTokenRecord } from '@sp-oauth/core/testing'
import { describe, expect, it } from 'vitest'
import { createSqlStorage } from '../create-sql-storage.js'
import { toAccessTokenRow } from '../repositories/access-token-repository.js'
import { toRefreshTokenRow } from '../repositories/refresh-token-repository.js'
import type { SqlDialect } from '../sql-dialect.js'
import { resolveTableNames } from '../table-names.js'
import { SerializationFailure, testDialect } from '../test-support/test-dialect.js'
import { type Answer, answeringKysely } from './answering-kysely.js'
import {
  createIssuanceProcedure,
  ISSUANCE_PROCEDURES,
  type IssuanceProcedure,
} from './issuance-procedures.js'
import { outcomeOf } from './procedure-issuance.js'

// The MySQL procedures' text and the calls of them, as compiled for MySQL; MariaDB runs them in
// @sp-oauth/mysql's contract, race and atomicity tests.

const NOW = new Date('2030-01-01T00:00:00.001Z')
const NAMES = resolveTableNames({ tablePrefix: 'app_' })
const COLLATION = 'utf8mb4_nopad_bin'
const MYSQL: SqlDialect = { ...testDialect, atomicIssuance: 'stored-procedure' }
/** mysql2's answer to a `CALL` whose procedure selected `won`: the result set, then a status. */
const WON: Answer = () => [[{ won: 1, live: 1 }], { affectedRows: 0 }]
const ISSUED = { status: 'issued' }

function procedureText(procedure: IssuanceProcedure): { sql: string; parameters: readonly unknown[] } {
  const { db } = answeringKysely('mysql', () => [])
  return createIssuanceProcedure(procedure, NAMES, COLLATION).compile(db)
}

/** The parameter names a procedure declares, in order. */
function declaredParameters(procedure: IssuanceProcedure): string[] {
  const text = procedureText(procedure).sql
  const list = text.slice(text.indexOf('(') + 1, text.indexOf(')\nmodifies'))
  return [...list.matchAll(/in `(\w+)`/g)].map((match) => match[1] ?? '')
}

/** The columns of the procedure's insert into `table`. */
function insertedColumns(procedure: IssuanceProcedure, table: string): string[] {
  const match = new RegExp(`insert into \`${table}\` \\(([^)]*)\\)`).exec(procedureText(procedure).sql)
  return [...(match?.[1] ?? '').matchAll(/`(\w+)`/g)].map((column) => column[1] ?? '')
}

function storage(outbox: boolean, answer: Answer = WON) {
  const { db, queries } = answeringKysely('mysql', answer)
  const retry = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 }
  const { atomicIssuance } = createSqlStorage(db, MYSQL, { tablePrefix: 'app_', outbox, retry })
  return { atomicIssuance, queries }
}

function issued() {
  const accessToken = buildAccessTokenRecord({ clientId: 'client-1', userId: 'user-1' })
  const refreshToken = buildRefreshTokenRecord({ clientId: 'client-1', accessTokenId: accessToken.id })
  const events: OAuthEvent[] = [
    {
      type: 'OAuthTokenIssued',
      id: 'event-1',
      occurredAt: NOW,
      clientId: 'client-1',
      userId: 'user-1',
      grantType: 'authorization_code',
      scopes: ['a'],
      accessTokenId: accessToken.id,
      refreshTokenId: refreshToken.id,
      familyId: refreshToken.familyId,
    },
  ]
  return { accessToken, refreshToken, events }
}

describe('the issuance procedures (MySQL)', () => {
  it('their text holds no value: names from the checked prefix, types, and the collation', () => {
    for (const procedure of ISSUANCE_PROCEDURES) {
      const { sql, parameters } = procedureText(procedure)
      expect(parameters).toEqual([])
      expect(sql).toMatch(
        /^create procedure `app_(issue_access_token|redeem_code|rotate_refresh_token)`\(in `p_/,
      )
      expect(sql).toContain('sql security invoker')
    }
  })

  it('every string parameter is utf8mb4 in the tables collation, so hashes compare as the columns do', () => {
    const text = procedureText('redeemCode').sql
    for (const procedure of ISSUANCE_PROCEDURES) {
      const procedureSql = procedureText(procedure).sql
      const list = procedureSql.slice(procedureSql.indexOf('(') + 1, procedureSql.indexOf(')\nmodifies'))
      for (const declaration of list.split(', in ')) {
        expect(declaration).toMatch(
          /`\w+` (longtext character set utf8mb4 collate utf8mb4_nopad_bin|datetime\(3\)|boolean)$/,
        )
      }
    }
    expect(text).toContain('in `p_code_hash` longtext character set utf8mb4 collate utf8mb4_nopad_bin')
  })

  it('every procedure first reads the client row in share mode and writes nothing when it is revoked', () => {
    for (const procedure of ISSUANCE_PROCEDURES) {
      expect(procedureText(procedure).sql).toMatch(
        /start transaction;\s+select count\(\*\) into `v_live` from `app_clients`\s+where `id` = `p_access_client_id` and `revoked_at` is null lock in share mode;\s+if `v_live` = 0 then\s+rollback;\s+select 0 as `won`, 0 as `live`;\s+else/,
      )
    }
  })

  it('redeem_code consumes the code only while unconsumed, and inserts only when that changed it', () => {
    const text = procedureText('redeemCode').sql
    expect(text).toMatch(
      /else\s+update `app_authorization_codes` set `consumed_at` = `p_now`\s+where `code_hash` = `p_code_hash` and `consumed_at` is null;\s+if row_count\(\) = 1 then\s+do 0;\s+insert into `app_access_tokens`/,
    )
  })

  it('rotate_refresh_token rotates the token only while neither rotated nor revoked; superseding revokes it and its access token', () => {
    expect(procedureText('rotateRefreshToken').sql).toMatch(
      /update `app_refresh_tokens` set `rotated_at` = `p_now`,\s+`revoked_at` = if\(`p_supersede`, `p_now`, null\)\s+where `token_hash` = `p_token_hash` and `rotated_at` is null and `revoked_at` is null;\s+if row_count\(\) = 1 then\s+if `p_supersede` then\s+update `app_access_tokens` set `revoked_at` = `p_now`\s+where `id` = \(select `access_token_id` from `app_refresh_tokens`\s+where `token_hash` = `p_token_hash`\) and `revoked_at` is null;\s+end if;/,
    )
  })

  it('issue_access_token claims nothing: the client row alone decides', () => {
    expect(procedureText('issueAccessToken').sql).toMatch(
      /else\s+do 0;\s+if true then\s+do 0;\s+insert into `app_access_tokens`/,
    )
  })

  it('any error rolls the whole procedure back and reaches the caller unchanged (a deadlock stays retryable)', () => {
    for (const procedure of ISSUANCE_PROCEDURES) {
      expect(procedureText(procedure).sql).toMatch(
        /declare exit handler for sqlexception\s+begin\s+rollback;\s+resignal;\s+end;\s+start transaction;/,
      )
    }
  })

  it('they insert every column the repositories insert', () => {
    const access = Object.keys(toAccessTokenRow(testDialect, buildAccessTokenRecord()))
    const refresh = Object.keys(toRefreshTokenRow(testDialect, buildRefreshTokenRecord()))
    for (const procedure of ISSUANCE_PROCEDURES) {
      expect(insertedColumns(procedure, 'app_access_tokens')).toEqual(access)
      expect(insertedColumns(procedure, 'app_refresh_tokens')).toEqual(refresh)
    }
  })

  it('the outbox rows come from the JSON array in its order', () => {
    expect(procedureText('redeemCode').sql).toMatch(
      /insert into `app_event_outbox` \(`event_id`, `type`, `aggregate_id`, `payload`, `occurred_at`\)\s+select [^\n]+\s+from json_table\(`p_events`, '\$\[\*\]' columns \(`position` for ordinality, .*\) as `event`\s+order by `event`.`position`/,
    )
  })
})

describe('atomicIssuance on MySQL (procedure calls)', () => {
  it('a code exchange is one CALL with one argument per declared parameter, in order', async () => {
    const { atomicIssuance, queries } = storage(true)
    const records = issued()
    expect(await atomicIssuance.redeemCode({ codeHash: 'hash-1', now: NOW, ...records })).toEqual({
      status: 'issued',
      eventsStored: true,
    })
    expect(queries).toHaveLength(1)
    expect(queries[0]?.sql).toMatch(/^call `app_redeem_code`\(\?(, \?)*\)$/)
    const names = declaredParameters('redeemCode')
    const values = queries[0]?.parameters ?? []
    expect(values).toHaveLength(names.length)
    const argument = Object.fromEntries(names.map((name, index) => [name, values[index]]))
    expect(argument.p_code_hash).toBe('hash-1')
    expect(argument.p_now).toEqual(NOW)
    for (const [column, value] of Object.entries(toAccessTokenRow(testDialect, records.accessToken))) {
      expect(argument[`p_access_${column}`], column).toEqual(value)
    }
    for (const [column, value] of Object.entries(toRefreshTokenRow(testDialect, records.refreshToken))) {
      expect(argument[`p_refresh_${column}`], column).toEqual(value)
    }
    expect(JSON.parse(String(argument.p_events))).toEqual([
      {
        event_id: 'event-1',
        type: 'OAuthTokenIssued',
        aggregate_id: 'client:client-1',
        payload: JSON.stringify(records.events[0]),
        occurred_at: '2030-01-01 00:00:00.001',
      },
    ])
  })

  it('a rotation calls rotate_refresh_token with the same arguments after the hash, supersede and now', async () => {
    const { atomicIssuance, queries } = storage(false)
    await atomicIssuance.rotateRefreshToken({ tokenHash: 'hash-2', now: NOW, ...issued() })
    await atomicIssuance.rotateRefreshToken({ tokenHash: 'hash-2', now: NOW, ...issued(), supersede: true })
    expect(queries[0]?.sql).toMatch(/^call `app_rotate_refresh_token`\(/)
    expect(queries[0]?.parameters).toHaveLength(declaredParameters('rotateRefreshToken').length)
    expect(queries[0]?.parameters.slice(0, 3)).toEqual(['hash-2', false, NOW])
    expect(queries[1]?.parameters.slice(0, 3)).toEqual(['hash-2', true, NOW])
  })

  it('a client_credentials issuance with outbox events calls issue_access_token with now first', async () => {
    const { atomicIssuance, queries } = storage(true)
    const { accessToken, events } = issued()
    await atomicIssuance.issueAccessToken({ now: NOW, accessToken, refreshToken: null, events })
    expect(queries[0]?.sql).toMatch(/^call `app_issue_access_token`\(/)
    expect(queries[0]?.parameters).toHaveLength(declaredParameters('issueAccessToken').length)
    expect(queries[0]?.parameters[0]).toEqual(NOW)
  })

  it('a client_credentials issuance without events is one INSERT … SELECT from the live client row, share-locked', async () => {
    const { atomicIssuance, queries } = storage(false)
    const { accessToken } = issued()
    await atomicIssuance.issueAccessToken({ now: NOW, accessToken, refreshToken: null, events: [] })
    expect(queries).toHaveLength(1)
    expect(queries[0]?.sql).toMatch(
      /^insert into `app_access_tokens` \(`id`, .*\) select \?, .* from `app_clients` where `id` = \? and `revoked_at` is null lock in share mode$/,
    )
    const row = toAccessTokenRow(testDialect, accessToken)
    expect(queries[0]?.parameters).toEqual([...Object.values(row), 'client-1'])
  })

  it('without a refresh token every refresh argument is NULL; without an outbox the events are []', async () => {
    const { atomicIssuance, queries } = storage(false)
    await atomicIssuance.redeemCode({ codeHash: 'hash-1', now: NOW, ...issued(), refreshToken: null })
    const names = declaredParameters('redeemCode')
    const values = queries[0]?.parameters ?? []
    names.forEach((name, index) => {
      if (name.startsWith('p_refresh_')) expect(values[index], name).toBeNull()
    })
    expect(values[names.indexOf('p_events')]).toBe('[]')
  })

  it('resolves already-used when the procedure selected won = 0 with the client live, client-revoked without', async () => {
    const used = storage(false, () => [[{ won: 0, live: 1 }], { affectedRows: 0 }]).atomicIssuance
    expect(await used.redeemCode({ codeHash: 'hash-1', now: NOW, ...issued() })).toEqual({
      status: 'already-used',
      eventsStored: false,
    })
    const revoked = storage(false, () => [[{ won: 0, live: 0 }], { affectedRows: 0 }]).atomicIssuance
    expect(await revoked.redeemCode({ codeHash: 'hash-1', now: NOW, ...issued() })).toEqual({
      status: 'client-revoked',
      eventsStored: false,
    })
  })

  it('calls again after a deadlock (the procedure rolled everything back)', async () => {
    let calls = 0
    const { atomicIssuance } = storage(false, (query) =>
      ++calls === 1 ? new SerializationFailure('deadlock') : WON(query),
    )
    expect(await atomicIssuance.redeemCode({ codeHash: 'hash-1', now: NOW, ...issued() })).toMatchObject(
      ISSUED,
    )
    expect(calls).toBe(2)
  })
})

describe('outcomeOf', () => {
  it("reads won and live from mysql2's answer to a CALL: the result set, then a status", () => {
    expect(outcomeOf([[{ won: 1, live: 1 }], { affectedRows: 0 }])).toEqual({ won: true, live: true })
    expect(outcomeOf([[{ won: '0', live: '1' }], { affectedRows: 0 }])).toEqual({ won: false, live: true })
    expect(outcomeOf([{ won: 0, live: 0 }])).toEqual({ won: false, live: false })
  })

  it('refuses an answer without won rather than guess', () => {
    expect(() => outcomeOf([])).toThrow('no result')
    expect(() => outcomeOf([{ affectedRows: 0 }])).toThrow('no result')
  })
})
