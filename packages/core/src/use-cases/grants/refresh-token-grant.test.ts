import { describe, expect, it } from 'vitest'
import type { OAuthEvent } from '../../domain/events.js'
import type { AuthorizationServer } from '../../server/create-authorization-server.js'
import {
  createTestClient,
  createTestServer,
  forEachIssuancePath,
  obtainTokens,
  refreshBody,
  type TestClient,
} from '../../test-support/test-server.js'
import {
  createFaultyStorage,
  INJECTED_FAILURE,
  insertedAccessTokens,
  insertedRefreshTokens,
  oauthErrorOf,
} from '../../test-support/token-helpers.js'

function refresh(
  server: AuthorizationServer,
  client: TestClient,
  refreshToken: string,
  extra: Record<string, string> = {},
) {
  return server.issueTokenFromRequest({ body: refreshBody(client, refreshToken, extra) })
}

async function refreshError(
  server: AuthorizationServer,
  client: TestClient,
  refreshToken: string,
  extra: Record<string, string> = {},
): Promise<string> {
  return (await oauthErrorOf(refresh(server, client, refreshToken, extra))).code
}

async function bearerError(server: AuthorizationServer, accessToken: string): Promise<string> {
  return (await oauthErrorOf(server.authenticateBearer({ authorization: `Bearer ${accessToken}` }))).code
}

function bearer(server: AuthorizationServer, accessToken: string) {
  return server.authenticateBearer({ authorization: `Bearer ${accessToken}` })
}

/** Reuse without a grace period: any second use of a rotated token revokes its family. */
const NO_GRACE = { refreshTokenReuseGraceSeconds: 0 }

function typesSince(events: readonly OAuthEvent[], start: number): string[] {
  return events.slice(start).map((event) => event.type)
}

forEachIssuancePath(() => {
  describe('refreshTokenGrant', () => {
    it('a missing refresh_token is invalid_request; an unknown one is invalid_grant', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthErrorOf(
        server.issueTokenFromRequest({
          body: { grant_type: 'refresh_token', client_id: client.id, client_secret: client.secret! },
        }),
      )
      expect(error.code).toBe('invalid_request')
      expect(await refreshError(server, client, `sport_${'A'.repeat(43)}`)).toBe('invalid_grant')
      expect(await refreshError(server, client, 'garbage')).toBe('invalid_grant')
    })

    describe('rotation', () => {
      it('a refresh token is used up by its rotation: a new one is issued and events are published', async () => {
        const { server, events } = createTestServer(NO_GRACE)
        const client = await createTestClient(server)
        const tokens = await obtainTokens(server, client)
        const start = events.length

        const rotated = await refresh(server, client, tokens.refresh_token!)
        expect(rotated.refresh_token).toEqual(expect.stringMatching(/^sport_/))
        expect(rotated.refresh_token).not.toBe(tokens.refresh_token)
        expect(rotated.access_token).not.toBe(tokens.access_token)
        expect(typesSince(events, start)).toEqual(['OAuthRefreshTokenRotated', 'OAuthTokenIssued'])
        const [rotation, issued] = events.slice(start)
        expect(rotation).toMatchObject({ clientId: client.id, previousTokenId: expect.any(String) })
        expect(issued).toMatchObject({
          clientId: client.id,
          userId: 'user-1',
          grantType: 'refresh_token',
          refreshTokenId: rotation?.type === 'OAuthRefreshTokenRotated' ? rotation.refreshTokenId : 'missing',
          familyId: rotation?.type === 'OAuthRefreshTokenRotated' ? rotation.familyId : 'missing',
        })

        // The new access token is for the same user and grant; the old refresh token no longer refreshes.
        const principal = await bearer(server, rotated.access_token)
        expect(principal).toMatchObject({ clientId: client.id, userId: 'user-1', grantType: 'refresh_token' })
        expect(await refreshError(server, client, tokens.refresh_token!)).toBe('invalid_grant')
      })

      it('a rotation keeps the consent claims of the grant', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const request = await server.validateAuthorizationRequest({
          response_type: 'code',
          client_id: client.id,
          scope: 'invoices.read',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        })
        const { code } = await server.approveAuthorizationRequest(request, 'user-1', {
          claims: { tenant: 't-9' },
        })
        const tokens = await server.issueTokenFromRequest({
          body: {
            grant_type: 'authorization_code',
            client_id: client.id,
            client_secret: client.secret!,
            code,
            code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
          },
        })
        const rotated = await refresh(server, client, tokens.refresh_token!)
        expect((await bearer(server, rotated.access_token)).claims).toEqual({ tenant: 't-9' })
      })
    })

    describe('reuse detection (RFC 9700 §4.14.2)', () => {
      it('reusing a rotated token is invalid_grant and revokes the whole family', async () => {
        const { server, events } = createTestServer(NO_GRACE)
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        const second = await refresh(server, client, first.refresh_token!)
        const start = events.length

        expect(await refreshError(server, client, first.refresh_token!)).toBe('invalid_grant')
        // The new refresh token and every access token of the family are revoked too.
        expect(await refreshError(server, client, second.refresh_token!)).toBe('invalid_grant')
        expect(await bearerError(server, first.access_token)).toBe('invalid_token')
        expect(await bearerError(server, second.access_token)).toBe('invalid_token')
        expect(events.slice(start)).toEqual([
          expect.objectContaining({ type: 'OAuthRefreshTokenReuseDetected', clientId: client.id }),
        ])
      })

      it('reuse is detected before the scope is checked, so a bad scope cannot dodge it', async () => {
        const { server, events } = createTestServer(NO_GRACE)
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        const second = await refresh(server, client, first.refresh_token!)

        expect(await refreshError(server, client, first.refresh_token!, { scope: 'admin' })).toBe(
          'invalid_grant',
        )
        expect(await refreshError(server, client, second.refresh_token!)).toBe('invalid_grant')
        expect(events.at(-1)).toMatchObject({ type: 'OAuthRefreshTokenReuseDetected' })
      })

      it('reuse revokes only its own family', async () => {
        const { server } = createTestServer(NO_GRACE)
        const client = await createTestClient(server)
        const unrelated = await obtainTokens(server, client)
        const first = await obtainTokens(server, client)
        await refresh(server, client, first.refresh_token!)
        await oauthErrorOf(refresh(server, client, first.refresh_token!))
        await expect(bearer(server, unrelated.access_token)).resolves.toMatchObject({ clientId: client.id })
        await expect(refresh(server, client, unrelated.refresh_token!)).resolves.toMatchObject({
          token_type: 'Bearer',
        })
      })

      it('the default reuse grace is 10 seconds: a lost answer can be retried once within it, later it is a reuse', async () => {
        const { server, clock, events } = createTestServer()
        expect(server.config.refreshTokenReuseGraceSeconds).toBe(10)
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        await refresh(server, client, first.refresh_token!)
        clock.advanceSeconds(10)
        const retried = await refresh(server, client, first.refresh_token!)
        await expect(bearer(server, retried.access_token)).resolves.toMatchObject({ clientId: client.id })

        const other = await obtainTokens(server, client)
        const second = await refresh(server, client, other.refresh_token!)
        clock.advanceSeconds(11)
        expect(await refreshError(server, client, other.refresh_token!)).toBe('invalid_grant')
        expect(await refreshError(server, client, second.refresh_token!)).toBe('invalid_grant')
        expect(events.at(-1)?.type).toBe('OAuthRefreshTokenReuseDetected')
      })
    })

    describe('reuse grace period (refreshTokenReuseGraceSeconds)', () => {
      it('a retry within the grace period succeeds and revokes the child it replaces', async () => {
        const { server, clock, events } = createTestServer({ refreshTokenReuseGraceSeconds: 10 })
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        const lost = await refresh(server, client, first.refresh_token!)
        clock.advanceSeconds(10)
        const start = events.length

        const retried = await refresh(server, client, first.refresh_token!)
        expect(typesSince(events, start)).toEqual(['OAuthRefreshTokenRotated', 'OAuthTokenIssued'])
        // The pair the client never received is gone; the new pair works.
        expect(await bearerError(server, lost.access_token)).toBe('invalid_token')
        await expect(bearer(server, retried.access_token)).resolves.toMatchObject({ userId: 'user-1' })
        await expect(refresh(server, client, retried.refresh_token!)).resolves.toMatchObject({
          token_type: 'Bearer',
        })
      })

      it('the superseded child presented after a retry within grace is a reuse: the whole family is revoked', async () => {
        const { server, clock, events } = createTestServer({ refreshTokenReuseGraceSeconds: 30 })
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        const legit = await refresh(server, client, first.refresh_token!)
        clock.advanceSeconds(5)
        // A thief replays the rotated token within grace and gets a pair.
        const thief = await refresh(server, client, first.refresh_token!)
        const start = events.length
        // The legitimate client presents the child it holds: the branches conflict.
        expect(await refreshError(server, client, legit.refresh_token!)).toBe('invalid_grant')
        expect(typesSince(events, start)).toEqual(['OAuthRefreshTokenReuseDetected'])
        expect(await refreshError(server, client, thief.refresh_token!)).toBe('invalid_grant')
        for (const token of [thief.access_token, legit.access_token, first.access_token]) {
          expect(await bearerError(server, token)).toBe('invalid_token')
        }
      })

      it('thief first: the legitimate retry within grace supersedes the thief, whose next use revokes the family', async () => {
        const { server, clock, events } = createTestServer({ refreshTokenReuseGraceSeconds: 30 })
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        const thief = await refresh(server, client, first.refresh_token!)
        clock.advanceSeconds(5)
        const legit = await refresh(server, client, first.refresh_token!)
        expect(await bearerError(server, thief.access_token)).toBe('invalid_token')
        expect(await refreshError(server, client, thief.refresh_token!)).toBe('invalid_grant')
        expect(events.at(-1)?.type).toBe('OAuthRefreshTokenReuseDetected')
        expect(await refreshError(server, client, legit.refresh_token!)).toBe('invalid_grant')
        expect(await bearerError(server, legit.access_token)).toBe('invalid_token')
      })

      it('a retry within the grace period succeeds only once', async () => {
        const { server, clock } = createTestServer({ refreshTokenReuseGraceSeconds: 10 })
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        await refresh(server, client, first.refresh_token!)
        clock.advanceSeconds(2)
        const retried = await refresh(server, client, first.refresh_token!)
        clock.advanceSeconds(2)
        expect(await refreshError(server, client, first.refresh_token!)).toBe('invalid_grant')
        expect(await refreshError(server, client, retried.refresh_token!)).toBe('invalid_grant')
      })

      it('a retry after the grace period is a reuse and revokes the family', async () => {
        const { server, clock, events } = createTestServer({ refreshTokenReuseGraceSeconds: 10 })
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        const second = await refresh(server, client, first.refresh_token!)
        clock.advanceSeconds(11)
        expect(await refreshError(server, client, first.refresh_token!)).toBe('invalid_grant')
        expect(events.at(-1)?.type).toBe('OAuthRefreshTokenReuseDetected')
        expect(await refreshError(server, client, second.refresh_token!)).toBe('invalid_grant')
        expect(await bearerError(server, second.access_token)).toBe('invalid_token')
      })

      it('a retry within the grace period is a reuse once the child was used', async () => {
        const { server, clock } = createTestServer({ refreshTokenReuseGraceSeconds: 10 })
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        const second = await refresh(server, client, first.refresh_token!)
        const third = await refresh(server, client, second.refresh_token!)
        clock.advanceSeconds(1)
        expect(await refreshError(server, client, first.refresh_token!)).toBe('invalid_grant')
        expect(await refreshError(server, client, third.refresh_token!)).toBe('invalid_grant')
      })
    })

    describe('lifetimes', () => {
      it('a refresh token expires after refreshTokenTtlDays', async () => {
        const { server, clock } = createTestServer({ refreshTokenTtlDays: 2 })
        const client = await createTestClient(server)
        const early = await obtainTokens(server, client)
        const late = await obtainTokens(server, client)
        clock.advanceSeconds(2 * 86_400 - 1)
        await expect(refresh(server, client, early.refresh_token!)).resolves.toMatchObject({
          token_type: 'Bearer',
        })
        clock.advanceSeconds(1)
        expect(await refreshError(server, client, late.refresh_token!)).toBe('invalid_grant')
      })

      it('the default refresh token lifetime is 30 days', async () => {
        const { server, clock } = createTestServer()
        const client = await createTestClient(server)
        const tokens = await obtainTokens(server, client)
        clock.advanceDays(30)
        expect(await refreshError(server, client, tokens.refresh_token!)).toBe('invalid_grant')
      })

      it('refreshTokenFamilyLifetimeDays ends the family even if it rotated recently', async () => {
        const { server, clock } = createTestServer({ refreshTokenFamilyLifetimeDays: 1 })
        const client = await createTestClient(server)
        const first = await obtainTokens(server, client)
        clock.advanceSeconds(86_400 - 60)
        const recent = await refresh(server, client, first.refresh_token!)
        clock.advanceSeconds(60)
        expect(await refreshError(server, client, recent.refresh_token!)).toBe('invalid_grant')
      })
    })

    describe('scope', () => {
      it('a narrower scope narrows the access token only; the next refresh gets the grant back, never more', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const tokens = await obtainTokens(server, client, { scope: 'invoices.read invoices.write' })

        const narrowed = await refresh(server, client, tokens.refresh_token!, { scope: 'invoices.read' })
        expect(narrowed).toMatchObject({ scope: 'invoices.read', scopes: ['invoices.read'] })
        const principal = await bearer(server, narrowed.access_token)
        expect(principal.scopes).toEqual(['invoices.read'])
        expect(principal.can('invoices.write')).toBe(false)

        const widened = await refresh(server, client, narrowed.refresh_token!)
        expect(widened.scopes).toEqual(['invoices.read', 'invoices.write'])
        expect((await bearer(server, widened.access_token)).can('invoices.write')).toBe(true)

        expect(await refreshError(server, client, widened.refresh_token!, { scope: 'admin' })).toBe(
          'invalid_scope',
        )
        expect(
          await refreshError(server, client, widened.refresh_token!, {
            scope: 'invoices.read invoices.write admin',
          }),
        ).toBe('invalid_scope')
      })

      it('a refresh never gets a scope the grant lacks, even one the client is allowed', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const tokens = await obtainTokens(server, client, { scope: 'invoices.read' })
        expect(await refreshError(server, client, tokens.refresh_token!, { scope: 'invoices.write' })).toBe(
          'invalid_scope',
        )
        // A refused scope consumes nothing.
        await expect(refresh(server, client, tokens.refresh_token!)).resolves.toMatchObject({
          scopes: ['invoices.read'],
        })
      })
    })

    it("another client's refresh token is invalid_grant, and still works for its own client", async () => {
      const { server, events } = createTestServer()
      const client = await createTestClient(server)
      const thief = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      expect(await refreshError(server, thief, tokens.refresh_token!)).toBe('invalid_grant')
      expect(events.some((event) => event.type === 'OAuthRefreshTokenReuseDetected')).toBe(false)
      await expect(refresh(server, client, tokens.refresh_token!)).resolves.toMatchObject({
        token_type: 'Bearer',
      })
    })

    it('a revoked refresh token is invalid_grant', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      await server.revokeToken({ token: tokens.refresh_token!, hint: 'refresh_token' })
      expect(await refreshError(server, client, tokens.refresh_token!)).toBe('invalid_grant')
    })
  })
})

// Outside forEachIssuancePath: the faulty storage has no atomicIssuance, so these run on the unit
// of work only (the atomic path's all-or-nothing is the storage's, checked by atomicIssuanceContract).
describe('refreshTokenGrant on the unit of work', () => {
  describe('concurrency', () => {
    it.each([0, 10])(
      'of 20 concurrent refreshes of one token at most one succeeds, leaving at most one live refresh token (grace %is)',
      async (grace) => {
        const faulty = createFaultyStorage()
        const { server } = createTestServer({
          storage: faulty.storage,
          refreshTokenReuseGraceSeconds: grace,
        })
        const client = await createTestClient(server)
        const tokens = await obtainTokens(server, client)
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => refresh(server, client, tokens.refresh_token!)),
        )
        const successes = results.filter((result) => result.status === 'fulfilled')
        const failures = results.filter((result) => result.status === 'rejected')
        if (grace === 0) expect(successes.length).toBeLessThanOrEqual(1)
        expect(successes.length + failures.length).toBe(20)
        for (const failure of failures) expect(failure.reason).toMatchObject({ code: 'invalid_grant' })

        // Every refresh token ever stored for the family, in its committed state.
        const stored = faulty.units.flatMap((unit) => insertedRefreshTokens(unit))
        let live = 0
        for (const token of stored) {
          const committed = await faulty.committed.refreshTokens.findByHash(token.tokenHash)
          if (committed && committed.revokedAt === null && committed.rotatedAt === null) live++
        }
        expect(live).toBeLessThanOrEqual(1)
      },
    )
  })

  describe('atomicity: marking the token used and storing the new pair commit together', () => {
    const ROTATION_WRITES = ['refreshTokens.markRotated', 'accessTokens.insert', 'refreshTokens.insert']

    it('a rotation makes exactly these writes in one unit of work', async () => {
      const faulty = createFaultyStorage()
      const { server } = createTestServer({ storage: faulty.storage })
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      await refresh(server, client, tokens.refresh_token!)
      expect(faulty.units.at(-1)!.map((call) => call.name)).toEqual(ROTATION_WRITES)
    })

    it.each(ROTATION_WRITES.map((name, index) => [index + 1, name] as const))(
      'a failure at write %i (%s) leaves the old refresh token working and no new token stored',
      async (n, name) => {
        const faulty = createFaultyStorage()
        const { server } = createTestServer({ storage: faulty.storage })
        const client = await createTestClient(server)
        const tokens = await obtainTokens(server, client)

        faulty.failNextUnitOfWorkAt(n)
        const error = await refresh(server, client, tokens.refresh_token!).then(
          () => null,
          (rejection: unknown) => rejection,
        )
        expect(String(error)).toContain(`${INJECTED_FAILURE} at write ${n} (${name})`)
        const failedUnit = faulty.units.at(-1)!
        expect(failedUnit).toHaveLength(n)

        const oldHash = await server.context.hasher.hashWithKey(
          tokens.refresh_token!,
          server.context.hasher.currentKeyId,
        )
        expect(await faulty.committed.refreshTokens.findByHash(oldHash)).toMatchObject({
          rotatedAt: null,
          revokedAt: null,
        })
        for (const token of insertedAccessTokens(failedUnit)) {
          expect(await faulty.committed.accessTokens.findById(token.id)).toBeNull()
        }
        for (const token of insertedRefreshTokens(failedUnit)) {
          expect(await faulty.committed.refreshTokens.findByHash(token.tokenHash)).toBeNull()
        }

        const response = server.renderError(error)
        expect(response.status).toBe(500)
        expect(response.body).toEqual({
          error: 'server_error',
          error_description: 'The server could not complete the request.',
        })
        // The old token works afterwards, and is not judged a reuse.
        await expect(refresh(server, client, tokens.refresh_token!)).resolves.toMatchObject({
          token_type: 'Bearer',
        })
      },
    )
  })
})
