import { describe, expect, it } from 'vitest'
import { answeringKysely } from '../atomic-issuance/answering-kysely.js'
import { createSqlStorage } from '../create-sql-storage.js'
import { testDialect } from '../test-support/test-dialect.js'

function storage() {
  const { db, queries } = answeringKysely('postgres', () => [])
  const { repositories, unitOfWork } = createSqlStorage(db, testDialect, {
    tablePrefix: 'app_',
    schema: 'auth',
  })
  return { repositories, unitOfWork, queries }
}

describe('lookups by key (compiled once per storage)', () => {
  it('a later lookup sends what a fresh build would, with its own key, in and out of a unit of work', async () => {
    const warm = storage()
    await warm.repositories.clients.findById('client-1')
    await warm.repositories.clients.findById('client-2')
    await warm.unitOfWork.run((repositories) => repositories.clients.findById('client-3'))
    const cold = storage()
    await cold.repositories.clients.findById('client-2')
    expect(warm.queries[1]).toEqual(cold.queries[0])
    expect(cold.queries[0]?.sql).toBe('select * from "auth"."app_clients" where "id" = $1')
    const inUnit = warm.queries.find((query) => query.parameters[0] === 'client-3')
    expect(inUnit?.sql).toBe(cold.queries[0]?.sql)
  })

  it('each lookup keeps its own statement', async () => {
    const { repositories, queries } = storage()
    await repositories.accessTokens.findByHash('hash-1')
    await repositories.accessTokens.findById('id-1')
    await repositories.refreshTokens.findByHash('hash-2')
    await repositories.authorizationCodes.findByHash('hash-3')
    expect(queries.map((query) => [query.sql, query.parameters])).toEqual([
      ['select * from "auth"."app_access_tokens" where "token_hash" = $1', ['hash-1']],
      ['select * from "auth"."app_access_tokens" where "id" = $1', ['id-1']],
      ['select * from "auth"."app_refresh_tokens" where "token_hash" = $1', ['hash-2']],
      ['select * from "auth"."app_authorization_codes" where "code_hash" = $1', ['hash-3']],
    ])
  })
})

describe('a credential read with its client', () => {
  it('one statement: the client by primary key, the credential joined by its hash alone, compiled once', async () => {
    const { repositories, queries } = storage()
    await repositories.authorizationCodes.findByHashWithClient!('hash-1', 'client-1')
    await repositories.refreshTokens.findByHashWithClient!('hash-2', 'client-2')
    await repositories.authorizationCodes.findByHashWithClient!('hash-3', 'client-3')
    expect(queries.map((query) => query.parameters)).toEqual([
      ['hash-1', 'client-1'],
      ['hash-2', 'client-2'],
      ['hash-3', 'client-3'],
    ])
    expect(queries[2]?.sql).toBe(queries[0]?.sql)
    expect(queries[0]?.sql).toMatch(
      /^select "t"\.\*, "c"\."id" as "client__id", .* from "auth"\."app_clients" as "c" left join "auth"\."app_authorization_codes" as "t" on "t"\."code_hash" = \$1 where "c"\."id" = \$2$/,
    )
    expect(queries[1]?.sql).toContain(
      'left join "auth"."app_refresh_tokens" as "t" on "t"."token_hash" = $1 where "c"."id" = $2',
    )
  })
})

describe('a credential read with its client where rows come over as JSON (rowAsJson, PostgreSQL)', () => {
  it('two scalar subqueries, each by its own key, compiled once; a credential of another client is left out', async () => {
    // The refresh token found by its hash belongs to client-1, whoever the request claims to be.
    const { db, queries } = answeringKysely('postgres', () => [
      { record: { client_id: 'client-1' }, client: { id: 'client-2' } },
    ])
    const dialect = { ...testDialect, rowAsJson: true }
    const { repositories } = createSqlStorage(db, dialect, { tablePrefix: 'app_' })
    expect(await repositories.refreshTokens.findByHashWithClient!('hash-2', 'client-2')).toMatchObject({
      client: { id: 'client-2' },
      record: null,
    })
    await repositories.refreshTokens.findByHashWithClient!('hash-3', 'client-3')
    expect(queries.map((query) => query.parameters)).toEqual([
      ['hash-2', 'client-2'],
      ['hash-3', 'client-3'],
    ])
    expect(queries[1]?.sql).toBe(queries[0]?.sql)
    expect(queries[0]?.sql).toBe(
      'select (select row_to_json(t) as "row" from "app_refresh_tokens" as "t" where "t"."token_hash" = $1) as "record", ' +
        '(select row_to_json(c) as "row" from "app_clients" as "c" where "c"."id" = $2) as "client"',
    )
  })
})
