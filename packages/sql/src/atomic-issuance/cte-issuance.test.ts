import type { OAuthEvent } from '@sp-oauth/core'
import { buildAccessTokenRecord, buildRefreshTokenRecord } from '@sp-oauth/core/testing'
import type { CompiledQuery } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createSqlStorage, type SqlStorageConfig } from '../create-sql-storage.js'
import { toAccessTokenRow } from '../repositories/access-token-repository.js'
import { SerializationFailure, testDialect } from '../test-support/test-dialect.js'
import { type Answer, answeringKysely } from './answering-kysely.js'

// The PostgreSQL statement as Kysely builds it; PostgreSQL and PGlite run it in their packages'
// contract, race and atomicity tests.

const NOW = new Date('2030-01-01T00:00:00.001Z')
const WON: Answer = () => [{ won: '1' }]
const ISSUED = { status: 'issued' }

function storage(config: SqlStorageConfig = {}, answer: Answer = WON) {
  const { db, queries } = answeringKysely('postgres', answer)
  const retry = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 }
  const { atomicIssuance } = createSqlStorage(db, testDialect, { tablePrefix: 'app_', retry, ...config })
  return { atomicIssuance, queries }
}

function issued(overrides: { readonly userId?: string } = {}) {
  const accessToken = buildAccessTokenRecord({ clientId: 'client-1', ...overrides })
  const refreshToken = buildRefreshTokenRecord({
    clientId: 'client-1',
    accessTokenId: accessToken.id,
    ...overrides,
  })
  const events: OAuthEvent[] = [
    {
      type: 'OAuthRefreshTokenRotated',
      id: 'event-1',
      occurredAt: NOW,
      clientId: 'client-1',
      familyId: refreshToken.familyId,
      previousTokenId: 'previous',
      refreshTokenId: refreshToken.id,
    },
    {
      type: 'OAuthTokenIssued',
      id: 'event-2',
      occurredAt: NOW,
      clientId: 'client-1',
      userId: overrides.userId ?? null,
      grantType: 'refresh_token',
      scopes: ['a'],
      accessTokenId: accessToken.id,
      refreshTokenId: refreshToken.id,
      familyId: refreshToken.familyId,
    },
  ]
  return { accessToken, refreshToken, events }
}

describe('atomicIssuance on PostgreSQL (data-modifying WITH)', () => {
  it('a code exchange is one statement: every insert selects from the update of the code while unconsumed and the client live', async () => {
    const { atomicIssuance, queries } = storage({ outbox: true })
    expect(await atomicIssuance.redeemCode({ codeHash: 'hash-1', now: NOW, ...issued() })).toEqual({
      status: 'issued',
      eventsStored: true,
    })
    expect(queries).toHaveLength(1)
    const [statement] = queries
    expect(statement?.sql).toMatch(
      /^with "won" as \(update "app_authorization_codes" set "consumed_at" = \$1 where "code_hash" = \$2 and "consumed_at" is null and exists \(select 1 as "one" from "app_clients" where "id" = \$3 and "revoked_at" is null for share\) returning 1 as "one", null as "access_token_id"\), /,
    )
    expect(statement?.sql).toMatch(
      /"stored_access" as \(insert into "app_access_tokens" \([^)]+\) select .* from "won"\)/,
    )
    expect(statement?.sql).toMatch(
      /"stored_refresh" as \(insert into "app_refresh_tokens" \([^)]+\) select .* from "won"\)/,
    )
    expect(statement?.sql).toMatch(
      /"stored_events" as \(insert into "app_event_outbox" .* from "won", \(values /,
    )
    expect(statement?.sql).toMatch(/select count\(\*\) as "won" from "won"$/)
    expect(statement?.parameters.slice(0, 3)).toEqual([NOW, 'hash-1', 'client-1'])
  })

  it('a rotation competes for the refresh token while neither rotated nor revoked', async () => {
    const { atomicIssuance, queries } = storage()
    const rotation = { tokenHash: 'hash-1', now: NOW, ...issued() }
    expect(await atomicIssuance.rotateRefreshToken(rotation)).toMatchObject(ISSUED)
    expect(queries[0]?.sql).toMatch(
      /^with "won" as \(update "app_refresh_tokens" set "rotated_at" = \$1 where "token_hash" = \$2 and "rotated_at" is null and "revoked_at" is null and exists \(select 1 as "one" from "app_clients" where "id" = \$3 and "revoked_at" is null for share\) returning 1 as "one", "access_token_id"\), "stored_access"/,
    )
  })

  it('a superseding rotation also revokes the token and, by the id the update returned, its access token', async () => {
    const { atomicIssuance, queries } = storage()
    const rotation = { tokenHash: 'hash-1', now: NOW, ...issued(), supersede: true }
    expect(await atomicIssuance.rotateRefreshToken(rotation)).toMatchObject(ISSUED)
    expect(queries[0]?.sql).toMatch(
      /"won" as \(update "app_refresh_tokens" set "rotated_at" = \$1, "revoked_at" = \$2 where .* for share\) returning 1 as "one", "access_token_id"\), "superseded" as \(update "app_access_tokens" set "revoked_at" = \$5 where "id" in \(select "access_token_id" from "won"\) and "revoked_at" is null\), "stored_access"/,
    )
  })

  it('a client_credentials issuance without events is one INSERT … SELECT while the client row is live, share-locked', async () => {
    const answer = (affectedRows: number) => (query: CompiledQuery) =>
      query.sql.startsWith('insert') ? { affectedRows } : new Error(`unexpected ${query.sql}`)
    const { accessToken } = issued()
    const issuance = { now: NOW, accessToken, refreshToken: null, events: [] }
    const live = storage({}, answer(1))
    expect(await live.atomicIssuance.issueAccessToken(issuance)).toEqual({
      status: 'issued',
      eventsStored: false,
    })
    expect(live.queries).toHaveLength(1)
    expect(live.queries[0]?.sql).toMatch(
      /^insert into "app_access_tokens" \("id", .*\) select \$1 as "id", .* where exists \(select 1 as "one" from "app_clients" where "id" = \$14 and "revoked_at" is null for share\)$/,
    )
    expect(live.queries[0]?.parameters).toEqual([
      ...Object.values(toAccessTokenRow(testDialect, accessToken)),
      'client-1',
    ])
    const revoked = storage({}, answer(0))
    expect(await revoked.atomicIssuance.issueAccessToken(issuance)).toEqual({
      status: 'client-revoked',
      eventsStored: false,
    })
  })

  it('a client_credentials issuance with outbox events inserts them from the client row alone (while not revoked)', async () => {
    const { atomicIssuance, queries } = storage({ outbox: true })
    const { accessToken, events } = issued()
    expect(
      await atomicIssuance.issueAccessToken({ now: NOW, accessToken, refreshToken: null, events }),
    ).toEqual({ status: 'issued', eventsStored: true })
    expect(queries[0]?.sql).toMatch(
      /^with "won" as \(select 1 as "one", null as "access_token_id" from "app_clients" where "id" = \$1 and "revoked_at" is null for share\), "stored_access" as \(insert into "app_access_tokens" .* from "won"\), "stored_events" as .* select count/,
    )
    expect(queries[0]?.sql).not.toContain('"app_refresh_tokens"')
  })

  it('tells a lost claim (already-used) from a revoked client (client-revoked) by reading the client after a claim that did not win', async () => {
    const lost = (clientRows: readonly unknown[]) =>
      storage({}, (query) => (query.sql.startsWith('with') ? [{ won: '0' }] : clientRows))
    const used = lost([{ one: 1 }])
    expect(await used.atomicIssuance.redeemCode({ codeHash: 'hash-1', now: NOW, ...issued() })).toEqual({
      status: 'already-used',
      eventsStored: false,
    })
    expect(used.queries[1]?.sql).toBe(
      'select 1 as "one" from "app_clients" where "id" = $1 and "revoked_at" is null',
    )
    const revoked = lost([])
    expect(
      await revoked.atomicIssuance.rotateRefreshToken({ tokenHash: 'h', now: NOW, ...issued() }),
    ).toEqual({
      status: 'client-revoked',
      eventsStored: false,
    })
    // client_credentials claims nothing: no row is a revoked client, without another read.
    const machine = lost([{ one: 1 }])
    const { accessToken } = issued()
    expect(
      await machine.atomicIssuance.issueAccessToken({
        now: NOW,
        accessToken,
        refreshToken: null,
        events: [],
      }),
    ).toEqual({ status: 'client-revoked', eventsStored: false })
    expect(machine.queries).toHaveLength(1)
  })

  it('writes no refresh token without one, and no events without an outbox', async () => {
    const { atomicIssuance, queries } = storage({ outbox: false })
    expect(atomicIssuance.eventsGoToOutbox).toBe(false)
    await atomicIssuance.redeemCode({ codeHash: 'hash-1', now: NOW, ...issued(), refreshToken: null })
    expect(queries[0]?.sql).toContain('"app_access_tokens"')
    expect(queries[0]?.sql).not.toContain('"app_refresh_tokens"')
    expect(queries[0]?.sql).not.toContain('"app_event_outbox"')
  })

  it('stores the events in their order, with the columns and encoding of the outbox repository', async () => {
    const { atomicIssuance, queries } = storage({ outbox: true })
    expect(atomicIssuance.eventsGoToOutbox).toBe(true)
    const records = issued()
    await atomicIssuance.rotateRefreshToken({ tokenHash: 'hash-1', now: NOW, ...records })
    const statement = queries[0]
    expect(statement?.sql).toMatch(/order by "event"\."position"\) select/)
    const parameters = statement?.parameters ?? []
    const outbox = parameters.slice(parameters.length - 12)
    expect(outbox).toEqual(
      records.events.flatMap((event, position) => [
        position,
        event.id,
        event.type,
        'client:client-1',
        JSON.stringify(event),
        event.occurredAt,
      ]),
    )
  })

  it('maps the table names (prefix and schema), never the names of its WITH clauses', async () => {
    const { atomicIssuance, queries } = storage({ schema: 'auth' })
    await atomicIssuance.redeemCode({ codeHash: 'hash-1', now: NOW, ...issued() })
    expect(queries[0]?.sql).toContain('update "auth"."app_authorization_codes"')
    expect(queries[0]?.sql).toContain('insert into "auth"."app_access_tokens"')
    expect(queries[0]?.sql).toContain('from "won"')
    expect(queries[0]?.sql).not.toContain('"auth"."won"')
  })

  it('nothing a caller passes is part of the SQL text: every value is a parameter', async () => {
    const hostile = `x'); drop table clients; -- "y" \\ ${crypto.randomUUID()}`
    const { atomicIssuance, queries } = storage({ outbox: true })
    await atomicIssuance.redeemCode({ codeHash: hostile, now: NOW, ...issued({ userId: hostile }) })
    expect(queries[0]?.sql).not.toContain('drop table')
    expect(queries[0]?.parameters.filter((parameter) => parameter === hostile)).toHaveLength(3)
  })

  it('compiles each shape once: a later call of the same shape sends what a fresh build would, with its own values', async () => {
    const warm = storage({ outbox: true })
    const first = { codeHash: 'hash-1', now: NOW, ...issued({ userId: 'user-1' }) }
    const second = {
      codeHash: 'hash-2',
      now: new Date('2030-01-02T00:00:00.002Z'),
      ...issued({ userId: 'user-2' }),
    }
    await warm.atomicIssuance.redeemCode(first)
    await warm.atomicIssuance.redeemCode(second)
    const cold = storage({ outbox: true })
    await cold.atomicIssuance.redeemCode(second)
    expect(warm.queries[1]).toEqual(cold.queries[0])
    expect(warm.queries[1]?.parameters).toContain('user-2')
    expect(warm.queries[1]?.parameters).not.toContain('user-1')
    // Another shape (no refresh token, no events) is its own statement.
    const lean = { codeHash: 'hash-3', now: NOW, ...issued(), refreshToken: null, events: [] }
    await warm.atomicIssuance.redeemCode(lean)
    const other = storage({ outbox: true })
    await other.atomicIssuance.redeemCode(lean)
    expect(warm.queries[2]?.sql).toBe(other.queries[0]?.sql)
    expect(warm.queries[2]?.sql).not.toBe(warm.queries[1]?.sql)
  })

  it('runs the statement again after a serialization failure (it changed nothing)', async () => {
    let calls = 0
    const { atomicIssuance } = storage({}, () =>
      ++calls === 1 ? new SerializationFailure('could not serialize access') : [{ won: 1 }],
    )
    expect(await atomicIssuance.redeemCode({ codeHash: 'hash-1', now: NOW, ...issued() })).toMatchObject(
      ISSUED,
    )
    expect(calls).toBe(2)
  })
})
