import type { Repositories } from '@sp-oauth/core'
import {
  buildAccessTokenRecord,
  buildAuthorizationCodeRecord,
  buildClientRecord,
  buildConsentRecord,
  buildRefreshTokenRecord,
  buildSigningKeyRecord,
} from '@sp-oauth/core/testing'
import { describe, expect, it } from 'vitest'
import { createSqlStorage } from './create-sql-storage.js'
import { recordingKysely, testDialect } from './test-support/test-dialect.js'

/** A value no SQL text may contain: quotes, a comment, a statement separator. */
const HOSTILE = `x'); drop table clients; -- "y" \\ ${crypto.randomUUID()}`

/** Calls every repository method once, with {@link HOSTILE} wherever a string goes. */
async function callEverything(repositories: Repositories): Promise<void> {
  const now = new Date('2030-01-01T00:00:00.001Z')
  await repositories.clients.insert(buildClientRecord({ id: HOSTILE, name: HOSTILE, secretHash: HOSTILE }))
  await repositories.clients.findById(HOSTILE)
  await repositories.clients.updateSecret(HOSTILE, { secretHash: HOSTILE, secretHashKeyId: HOSTILE }, now)
  await repositories.clients.revoke(HOSTILE, now)
  await repositories.authorizationCodes.insert(
    buildAuthorizationCodeRecord({ codeHash: HOSTILE, userId: HOSTILE }),
  )
  await repositories.authorizationCodes.findByHash(HOSTILE)
  await repositories.authorizationCodes.consume(HOSTILE, now)
  await repositories.authorizationCodes.deleteByClient(HOSTILE)
  await repositories.accessTokens.insert(buildAccessTokenRecord({ tokenHash: HOSTILE, userId: HOSTILE }))
  await repositories.accessTokens.findByHash(HOSTILE)
  await repositories.accessTokens.findById(HOSTILE)
  await repositories.accessTokens.revoke(HOSTILE, now)
  await repositories.accessTokens.revokeFamily(HOSTILE, now)
  await repositories.accessTokens.revokeByClient(HOSTILE, now)
  await repositories.refreshTokens.insert(buildRefreshTokenRecord({ tokenHash: HOSTILE, parentId: HOSTILE }))
  await repositories.refreshTokens.findByHash(HOSTILE)
  await repositories.refreshTokens.findByParentId(HOSTILE)
  await repositories.refreshTokens.markRotated(HOSTILE, now)
  await repositories.refreshTokens.revoke(HOSTILE, now)
  await repositories.refreshTokens.revokeFamily(HOSTILE, now)
  await repositories.refreshTokens.revokeByClient(HOSTILE, now)
  await repositories.consents.upsert(buildConsentRecord({ userId: HOSTILE, clientId: HOSTILE }))
  await repositories.consents.find(HOSTILE, HOSTILE)
  await repositories.consents.delete(HOSTILE, HOSTILE)
  await repositories.consents.deleteByClient(HOSTILE)
  await repositories.signingKeys.insert(buildSigningKeyRecord({ kid: HOSTILE }))
  await repositories.signingKeys.findByKid(HOSTILE)
  await repositories.signingKeys.listByState(['active', 'previous'])
  await repositories.signingKeys.updateState(HOSTILE, 'retired', now)
}

describe('createSqlStorage', () => {
  it('nothing a caller passes is ever part of the SQL text: every value is a parameter', async () => {
    const { db, queries } = recordingKysely()
    await callEverything(createSqlStorage(db, testDialect, { tablePrefix: 'app_' }).repositories)
    expect(queries).toHaveLength(29)
    for (const query of queries) {
      expect(query.sql).not.toContain('drop table')
      expect(query.sql).toMatch(/"app_[a-z_]+"/)
    }
    const parameters = queries.flatMap((query) => query.parameters)
    expect(parameters.filter((parameter) => parameter === HOSTILE).length).toBeGreaterThanOrEqual(29)
  })

  it('listByState with no states asks the database nothing and gives no keys', async () => {
    const { db, queries } = recordingKysely()
    expect(await createSqlStorage(db, testDialect).repositories.signingKeys.listByState([])).toEqual([])
    expect(queries).toEqual([])
  })
})
