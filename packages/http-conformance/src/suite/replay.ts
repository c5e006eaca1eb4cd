import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { TEST_ROUTES } from '../harness/adapter-harness.js'
import {
  authorizeThroughConsent,
  callResource,
  clientOf,
  exchangeCode,
  insecure,
  newBrowser,
  obtainTokens,
  secretPost,
} from '../support/oauth-client.js'
import type { Targets } from './environments.js'
import { expectOAuthError } from './expectations.js'

/** RFC 6749 §4.1.2 and RFC 9700 §4.14.2: replayed codes and reused refresh tokens. */
export function describeReplay(targets: () => Targets): void {
  describe('replay', () => {
    it('a replayed code gets invalid_grant and revokes the tokens the first exchange issued', async () => {
      const { env, as } = targets().opaque
      const { prepared, callback } = await authorizeThroughConsent(env, as, newBrowser(env))
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        clientOf(env.clients.erp),
        await exchangeCode(as, prepared, callback),
      )
      expect((await callResource(env, TEST_ROUTES.invoices, tokens.access_token)).status).toBe(200)
      const since = env.events.length
      await expectOAuthError(await exchangeCode(as, prepared, callback), 400, 'invalid_grant')
      expect(env.eventsSince(since, 'OAuthAuthorizationCodeReplayDetected')).toHaveLength(1)
      await expectOAuthError(
        await callResource(env, TEST_ROUTES.invoices, tokens.access_token),
        401,
        'invalid_token',
      )
      const refreshed = await oauth.refreshTokenGrantRequest(
        as,
        clientOf(env.clients.erp),
        secretPost(env.clients.erp),
        tokens.refresh_token!,
        insecure,
      )
      await expectOAuthError(refreshed, 400, 'invalid_grant')
    })

    it('a replayed code revokes the first JWT access token too', async () => {
      const { env, as } = targets().jwt
      const { prepared, callback } = await authorizeThroughConsent(env, as, newBrowser(env))
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        clientOf(env.clients.erp),
        await exchangeCode(as, prepared, callback),
      )
      expect((await callResource(env, TEST_ROUTES.invoices, tokens.access_token)).status).toBe(200)
      await expectOAuthError(await exchangeCode(as, prepared, callback), 400, 'invalid_grant')
      await expectOAuthError(
        await callResource(env, TEST_ROUTES.invoices, tokens.access_token),
        401,
        'invalid_token',
      )
    })

    it('reusing a rotated refresh token gets invalid_grant and revokes the whole family', async () => {
      const { env, as } = targets().opaque
      const client = clientOf(env.clients.erp)
      const refresh = (token: string) =>
        oauth.refreshTokenGrantRequest(as, client, secretPost(env.clients.erp), token, insecure)
      const first = await obtainTokens(env, as)
      const second = await oauth.processRefreshTokenResponse(as, client, await refresh(first.refresh_token!))
      expect((await callResource(env, TEST_ROUTES.invoices, second.access_token)).status).toBe(200)
      // Past the reuse grace period, a second use of the rotated token is a plain reuse.
      env.clock.advanceSeconds(env.server.config.refreshTokenReuseGraceSeconds + 1)
      const since = env.events.length
      await expectOAuthError(await refresh(first.refresh_token!), 400, 'invalid_grant')
      expect(env.eventsSince(since, 'OAuthRefreshTokenReuseDetected')).toHaveLength(1)
      await expectOAuthError(await refresh(second.refresh_token!), 400, 'invalid_grant')
      await expectOAuthError(
        await callResource(env, TEST_ROUTES.invoices, second.access_token),
        401,
        'invalid_token',
      )
    })

    it('concurrent exchanges of one code over separate connections: exactly one succeeds, the rest get invalid_grant', async () => {
      const { env, as } = targets().opaque
      const { prepared, callback } = await authorizeThroughConsent(env, as, newBrowser(env))
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => exchangeCode(as, prepared, callback)),
      )
      const statuses = responses.map((response) => response.status).sort()
      expect(statuses).toEqual([200, 400, 400, 400, 400, 400])
      for (const response of responses.filter((r) => r.status === 400)) {
        await expectOAuthError(response, 400, 'invalid_grant')
      }
    })

    it('a replay within the reuse grace period gets a pair, and the other branch’s next use revokes the whole family', async () => {
      const { env, as } = targets().opaque
      const client = clientOf(env.clients.erp)
      const refresh = (token: string) =>
        oauth.refreshTokenGrantRequest(as, client, secretPost(env.clients.erp), token, insecure)
      const first = await obtainTokens(env, as)
      const legit = await oauth.processRefreshTokenResponse(as, client, await refresh(first.refresh_token!))
      env.clock.advanceSeconds(1)
      const thief = await oauth.processRefreshTokenResponse(as, client, await refresh(first.refresh_token!))
      const since = env.events.length
      await expectOAuthError(await refresh(legit.refresh_token!), 400, 'invalid_grant')
      expect(env.eventsSince(since, 'OAuthRefreshTokenReuseDetected')).toHaveLength(1)
      await expectOAuthError(await refresh(thief.refresh_token!), 400, 'invalid_grant')
      for (const token of [legit.access_token, thief.access_token]) {
        await expectOAuthError(await callResource(env, TEST_ROUTES.invoices, token), 401, 'invalid_token')
      }
    })

    it('concurrent refreshes with one refresh token: the rotation and at most one retry within grace succeed, the rest get invalid_grant, and at most one holder can go on', async () => {
      const { env, as } = targets().opaque
      const client = clientOf(env.clients.erp)
      const refresh = (token: string) =>
        oauth.refreshTokenGrantRequest(as, client, secretPost(env.clients.erp), token, insecure)
      const first = await obtainTokens(env, as)
      const responses = await Promise.all(Array.from({ length: 6 }, () => refresh(first.refresh_token!)))
      const succeeded = responses.filter((response) => response.status === 200)
      expect(succeeded.length).toBeGreaterThanOrEqual(1)
      expect(succeeded.length).toBeLessThanOrEqual(2)
      for (const response of responses.filter((r) => r.status === 400)) {
        await expectOAuthError(response, 400, 'invalid_grant')
      }
      const holders = await Promise.all(
        succeeded.map((response) => oauth.processRefreshTokenResponse(as, client, response)),
      )
      const movedOn = []
      for (const holder of holders) movedOn.push((await refresh(holder.refresh_token!)).status)
      expect(movedOn.filter((status) => status === 200).length).toBeLessThanOrEqual(1)
    })

    it('a refresh token presented by another client gets invalid_grant and is not consumed', async () => {
      const { env, as } = targets().opaque
      const first = await obtainTokens(env, as)
      const stolen = await postFormToken(env.origin, {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token!,
        client_id: env.clients.single.id,
        client_secret: env.clients.single.secret!,
      })
      await expectOAuthError(stolen, 400, 'invalid_grant')
      const own = await oauth.refreshTokenGrantRequest(
        as,
        clientOf(env.clients.erp),
        secretPost(env.clients.erp),
        first.refresh_token!,
        insecure,
      )
      expect(own.status).toBe(200)
    })
  })
}

function postFormToken(origin: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
}
