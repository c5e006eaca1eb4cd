import { describe, expect, it } from 'vitest'
import { INVOICES_READ, INVOICES_WRITE, TEST_ROUTES } from '../harness/adapter-harness.js'
import { callResource, get, obtainTokens, serviceToken } from '../support/oauth-client.js'
import { REPORTS_READ } from '../support/test-environment.js'
import type { Targets } from './environments.js'
import { expectOAuthError, jsonOf } from './expectations.js'

/** RFC 6750: the adapters' bearer and scope middleware on the test app's protected routes. */
export function describeResourceMiddleware(targets: () => Targets): void {
  describe('resource middleware (RFC 6750)', () => {
    it('no token gets 401 with WWW-Authenticate: Bearer realm=... and no error, no body', async () => {
      const { env } = targets().opaque
      for (const path of Object.values(TEST_ROUTES).filter((path) => path.startsWith('/partner'))) {
        for (const headers of [{}, { authorization: '' }, { authorization: `Basic ${btoa('a:b')}` }]) {
          const response = await get(`${env.origin}${path}`, headers)
          expect(response.status).toBe(401)
          expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${env.realm}"`)
          expect(await response.text()).toBe('')
        }
      }
      const jwt = targets().jwt.env
      const response = await get(`${jwt.origin}${TEST_ROUTES.invoices}`)
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="oauth"')
    })

    it('an unknown, malformed-signature or revoked token gets 401 with error="invalid_token" (header and body)', async () => {
      const { env } = targets().opaque
      const jwt = targets().jwt.env
      for (const [target, token] of [
        [env, 'spoat_not-a-real-token'],
        [env, 'garbage'],
        [jwt, 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
        [jwt, 'spoat_not-a-real-token'],
      ] as const) {
        const response = await callResource(target, TEST_ROUTES.invoices, token)
        await expectOAuthError(response, 401, 'invalid_token')
        expect(response.headers.get('www-authenticate')).toMatch(
          new RegExp(`^Bearer realm="${target.realm}", error="invalid_token"`),
        )
      }
    })

    it('a malformed Authorization header gets 400 invalid_request with a Bearer challenge', async () => {
      const { env } = targets().opaque
      for (const authorization of ['Bearer', 'Bearer two words', 'Bearer tok"en']) {
        const response = await get(`${env.origin}${TEST_ROUTES.invoices}`, { authorization })
        await expectOAuthError(response, 400, 'invalid_request')
        expect(response.headers.get('www-authenticate'), authorization).toMatch(
          /^Bearer realm="partner-api", error="invalid_request"/,
        )
      }
    })

    it('a missing scope gets 403 insufficient_scope naming the scope, in the header and the body', async () => {
      const { env, as } = targets().opaque
      const token = await serviceToken(env, as, REPORTS_READ)
      const response = await callResource(env, TEST_ROUTES.invoices, token.access_token)
      const body = await expectOAuthError(response, 403, 'insufficient_scope')
      expect(body.scope).toBe(INVOICES_READ)
      const challenge = response.headers.get('www-authenticate')
      expect(challenge).toMatch(/^Bearer realm="partner-api", error="insufficient_scope"/)
      expect(challenge).toContain(`scope="${INVOICES_READ}"`)
    })

    it('requireAnyScope admits a token with either scope and refuses one with neither, naming both', async () => {
      const { env, as } = targets().opaque
      for (const scope of [INVOICES_READ, INVOICES_WRITE]) {
        const token = await serviceToken(env, as, scope)
        const response = await callResource(env, TEST_ROUTES.anyScope, token.access_token)
        expect(response.status, scope).toBe(200)
        expect((await jsonOf(response))?.scopes).toEqual([scope])
      }
      const writeOnly = await serviceToken(env, as, INVOICES_WRITE)
      await expectOAuthError(
        await callResource(env, TEST_ROUTES.invoices, writeOnly.access_token),
        403,
        'insufficient_scope',
      )
      const neither = await serviceToken(env, as, REPORTS_READ)
      const refused = await callResource(env, TEST_ROUTES.anyScope, neither.access_token)
      const body = await expectOAuthError(refused, 403, 'insufficient_scope')
      expect(body.scope).toBe(`${INVOICES_READ} ${INVOICES_WRITE}`)
      expect(refused.headers.get('www-authenticate')).toContain(`scope="${INVOICES_READ} ${INVOICES_WRITE}"`)
    })

    it('requireClient admits only the listed client: another client gets 403 access_denied', async () => {
      const { env, as } = targets().opaque
      const trusted = await serviceToken(env, as, REPORTS_READ)
      const response = await callResource(env, TEST_ROUTES.trustedClient, trusted.access_token)
      expect(response.status).toBe(200)
      expect((await jsonOf(response))?.clientId).toBe(env.clients.service.id)
      const user = await obtainTokens(env, as)
      await expectOAuthError(
        await callResource(env, TEST_ROUTES.trustedClient, user.access_token),
        403,
        'access_denied',
      )
    })

    it('a token of a client revoked since is refused with 401 invalid_token', async () => {
      const { env } = targets().opaque
      const created = await env.server.createClient({
        name: 'Soon Revoked Service',
        redirectUris: [],
        allowedGrants: ['client_credentials'],
        allowedScopes: [INVOICES_READ],
        confidential: true,
      })
      const issued = await fetch(`${env.origin}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: created.client.id,
          client_secret: created.plaintextSecret!,
        }).toString(),
      })
      const { access_token: token } = (await issued.json()) as { access_token: string }
      expect((await callResource(env, TEST_ROUTES.invoices, token)).status).toBe(200)
      await env.server.revokeClient(created.client.id)
      await expectOAuthError(await callResource(env, TEST_ROUTES.invoices, token), 401, 'invalid_token')
    })

    it('the bodiless 401 challenge declares no content type', async () => {
      const { env } = targets().opaque
      const response = await get(`${env.origin}${TEST_ROUTES.invoices}`)
      expect(response.status).toBe(401)
      expect(await response.text()).toBe('')
      expect(response.headers.get('content-type')).toBeNull()
    })

    it('the bearer scheme is matched case-insensitively', async () => {
      const { env, as } = targets().opaque
      const token = await serviceToken(env, as, INVOICES_READ)
      const response = await get(`${env.origin}${TEST_ROUTES.invoices}`, {
        authorization: `bearer ${token.access_token}`,
      })
      expect(response.status).toBe(200)
    })
  })
}
