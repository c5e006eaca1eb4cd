import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import {
  INVOICES_READ,
  INVOICES_WRITE,
  loginLocation,
  type PrincipalBody,
  TEST_ROUTES,
} from '../harness/adapter-harness.js'
import {
  answerConsent,
  callbackOf,
  callResource,
  clientOf,
  exchangeCode,
  get,
  insecure,
  newBrowser,
  obtainTokens,
  openConsent,
  prepareAuthorization,
  protectedResource,
  secretBasic,
  secretPost,
  serviceToken,
} from '../support/oauth-client.js'
import { ERP_REDIRECT_URI, type TestClient } from '../support/test-environment.js'
import type { Targets } from './environments.js'
import { expectNoStore, expectOAuthError, jsonOf } from './expectations.js'

/** Every flow of the seed, end to end, with a real OAuth client (oauth4webapi). */
export function describeSeedFlows(targets: () => Targets): void {
  describe('seed flows', () => {
    it('client creation shows the 64-hex secret once, through the core API, and stores only its hash', async () => {
      const { env } = targets().opaque
      const created = await env.server.createClient({
        name: 'ERP Connector',
        redirectUris: [ERP_REDIRECT_URI],
        allowedGrants: ['authorization_code', 'refresh_token'],
        allowedScopes: [INVOICES_READ, INVOICES_WRITE],
        confidential: true,
      })
      const secret = created.plaintextSecret!
      expect(secret).toMatch(/^[0-9a-f]{64}$/)
      expect(created.client.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      expect(JSON.stringify(created.client)).not.toContain(secret)
      const stored = await env.server.context.storage.repositories.clients.findById(created.client.id)
      expect(stored?.secretHash).toBeTruthy()
      expect(JSON.stringify(stored)).not.toContain(secret)
    })

    it('authorization code + PKCE: discovery, login hook with the exact returnTo, consent, approve with remember, code exchange, principal', async () => {
      const { env } = targets().opaque
      const as = await oauth.processDiscoveryResponse(
        new URL(env.issuer),
        await oauth.discoveryRequest(new URL(env.issuer), { algorithm: 'oauth2', ...insecure }),
      )
      expect(as.authorization_endpoint).toBe(`${env.origin}/oauth/authorize`)
      expect(as.token_endpoint).toBe(`${env.origin}/oauth/token`)
      const prepared = await prepareAuthorization(env, as, { scope: `${INVOICES_READ} ${INVOICES_WRITE}` })

      // Signed out: the app's login hook, told to come back to exactly this URL.
      const signedOut = await get(prepared.url)
      expect(signedOut.status).toBe(302)
      expect(signedOut.headers.get('location')).toBe(
        loginLocation(`${prepared.url.pathname}${prepared.url.search}`),
      )

      // Signed in: the consent screen for this client and these scopes.
      const browser = newBrowser(env)
      const consent = await openConsent(prepared.url, browser)
      expect(consent).toMatchObject({
        client_id: env.clients.erp.id,
        client_name: 'ERP Connector',
        scopes: [INVOICES_READ, INVOICES_WRITE],
        approve_path: '/oauth/authorize/approve',
        deny_path: '/oauth/authorize/deny',
      })

      const since = env.events.length
      const approved = await answerConsent(
        env,
        'approve',
        { ticket: consent.ticket, remember: 'on' },
        browser,
      )
      expectNoStore(approved)
      const callback = callbackOf(as, prepared, approved)
      expect(callback.get('code')).toBeTruthy()
      expect(env.eventsSince(since, 'OAuthAuthorizationApproved')).toMatchObject([
        { clientId: env.clients.erp.id, userId: browser.user, remembered: true },
      ])

      const exchanged = await exchangeCode(as, prepared, callback)
      expect(exchanged.status).toBe(200)
      expectNoStore(exchanged)
      expect(exchanged.headers.get('content-type')).toMatch(/^application\/json/)
      const body = await exchanged.clone().json()
      expect(body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        scope: `${INVOICES_READ} ${INVOICES_WRITE}`,
        scopes: [INVOICES_READ, INVOICES_WRITE],
      })
      const tokens = await oauth.processAuthorizationCodeResponse(as, clientOf(env.clients.erp), exchanged)
      expect(tokens.refresh_token).toBeTruthy()
      expect(env.eventsSince(since, 'OAuthTokenIssued')).toHaveLength(1)

      const resource = await protectedResource(env, TEST_ROUTES.invoices, tokens.access_token)
      expect(resource.status).toBe(200)
      expect(await resource.json()).toEqual({
        clientId: env.clients.erp.id,
        userId: browser.user,
        grantType: 'authorization_code',
        scopes: [INVOICES_READ, INVOICES_WRITE],
        canReadInvoices: true,
      } satisfies PrincipalBody)
    })

    it('refresh tokens rotate: a new pair, no-store, and the new access token carries the same principal', async () => {
      const { env, as } = targets().opaque
      const first = await obtainTokens(env, as)
      const response = await oauth.refreshTokenGrantRequest(
        as,
        clientOf(env.clients.erp),
        secretPost(env.clients.erp),
        first.refresh_token!,
        insecure,
      )
      expect(response.status).toBe(200)
      expectNoStore(response)
      expect(await response.clone().json()).toMatchObject({ scope: INVOICES_READ, scopes: [INVOICES_READ] })
      const second = await oauth.processRefreshTokenResponse(as, clientOf(env.clients.erp), response)
      expect(second.refresh_token).toBeTruthy()
      expect(second.refresh_token).not.toBe(first.refresh_token)
      expect(second.access_token).not.toBe(first.access_token)
      const principal = (await (
        await protectedResource(env, TEST_ROUTES.invoices, second.access_token)
      ).json()) as PrincipalBody
      expect(principal).toMatchObject({ clientId: env.clients.erp.id, userId: first.browser.user })
    })

    it('revocation (RFC 7009): 200 for a known token and for an unknown one; the revoked token then gets 401', async () => {
      const { env, as } = targets().opaque
      const tokens = await obtainTokens(env, as)
      expect((await callResource(env, TEST_ROUTES.invoices, tokens.access_token)).status).toBe(200)
      const since = env.events.length
      const revoked = await oauth.revocationRequest(
        as,
        clientOf(env.clients.erp),
        secretPost(env.clients.erp),
        tokens.access_token,
        { additionalParameters: { token_type_hint: 'access_token' }, ...insecure },
      )
      expect(revoked.status).toBe(200)
      await oauth.processRevocationResponse(revoked)
      expect(env.eventsSince(since, 'OAuthTokenRevoked')).toHaveLength(1)
      const unknown = await oauth.revocationRequest(
        as,
        clientOf(env.clients.erp),
        secretPost(env.clients.erp),
        'spoat_this-token-was-never-issued',
        insecure,
      )
      expect(unknown.status).toBe(200)
      const after = await callResource(env, TEST_ROUTES.invoices, tokens.access_token)
      await expectOAuthError(after, 401, 'invalid_token')
      expect(after.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="partner-api", error="invalid_token"/,
      )
    })

    it('revoking a refresh token (hint refresh_token) stops the refresh grant', async () => {
      const { env, as } = targets().opaque
      const tokens = await obtainTokens(env, as)
      const revoked = await oauth.revocationRequest(
        as,
        clientOf(env.clients.erp),
        secretBasic(env.clients.erp),
        tokens.refresh_token!,
        { additionalParameters: { token_type_hint: 'refresh_token' }, ...insecure },
      )
      expect(revoked.status).toBe(200)
      const refreshed = await oauth.refreshTokenGrantRequest(
        as,
        clientOf(env.clients.erp),
        secretPost(env.clients.erp),
        tokens.refresh_token!,
        insecure,
      )
      await expectOAuthError(refreshed, 400, 'invalid_grant')
    })

    it('introspection (RFC 7662): active with its claims, then inactive once revoked, and inactive for an unknown token', async () => {
      const { env, as } = targets().opaque
      const tokens = await obtainTokens(env, as)
      const introspect = (token: string) =>
        oauth.introspectionRequest(
          as,
          clientOf(env.clients.service),
          secretBasic(env.clients.service),
          token,
          insecure,
        )
      const active = await introspect(tokens.access_token)
      expect(active.status).toBe(200)
      expectNoStore(active)
      const claims = await oauth.processIntrospectionResponse(as, clientOf(env.clients.service), active)
      expect(claims).toMatchObject({
        active: true,
        client_id: env.clients.erp.id,
        scope: INVOICES_READ,
        sub: tokens.browser.user,
      })
      await env.server.revokeToken({ token: tokens.access_token })
      expect(await (await introspect(tokens.access_token)).json()).toEqual({ active: false })
      expect(await (await introspect('spoat_this-token-was-never-issued')).json()).toEqual({ active: false })
    })

    it("introspection: another client's access token is { active: false } unless the caller is a resource server; its own is shown", async () => {
      const { env, as } = targets().opaque
      const tokens = await obtainTokens(env, as)
      const introspectAs = async (caller: TestClient) =>
        (
          await oauth.introspectionRequest(
            as,
            clientOf(caller),
            secretBasic(caller),
            tokens.access_token,
            insecure,
          )
        ).json()
      expect(await introspectAs(env.clients.single)).toEqual({ active: false })
      expect(await introspectAs(env.clients.erp)).toMatchObject({
        active: true,
        client_id: env.clients.erp.id,
      })
      expect(await introspectAs(env.clients.service)).toMatchObject({
        active: true,
        client_id: env.clients.erp.id,
      })
    })

    it('client_credentials: a token without refresh token, whose principal has no user', async () => {
      const { env, as } = targets().opaque
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        clientOf(env.clients.service),
        secretBasic(env.clients.service),
        { scope: INVOICES_READ },
        insecure,
      )
      expect(response.status).toBe(200)
      expectNoStore(response)
      expect(await response.clone().json()).toMatchObject({ scope: INVOICES_READ, scopes: [INVOICES_READ] })
      const tokens = await oauth.processClientCredentialsResponse(as, clientOf(env.clients.service), response)
      expect(tokens.refresh_token).toBeUndefined()
      expect(await (await protectedResource(env, TEST_ROUTES.invoices, tokens.access_token)).json()).toEqual({
        clientId: env.clients.service.id,
        userId: null,
        grantType: 'client_credentials',
        scopes: [INVOICES_READ],
        canReadInvoices: true,
      } satisfies PrincipalBody)
    })

    it('metadata (RFC 8414) with opaque tokens advertises exactly what is enabled: no jwks_uri, S256 PKCE only (the default), the configured scopes', async () => {
      const { env } = targets().opaque
      const response = await get(`${env.origin}/.well-known/oauth-authorization-server`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      expect(response.headers.get('cache-control')).toBe('public, max-age=3600')
      const metadata = await jsonOf(response)
      const endpoint = (path: string) => `${env.origin}/oauth/${path}`
      expect(metadata).toEqual({
        issuer: env.issuer,
        authorization_endpoint: endpoint('authorize'),
        token_endpoint: endpoint('token'),
        scopes_supported: [INVOICES_READ, INVOICES_WRITE, 'reports.read'],
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        revocation_endpoint: endpoint('revoke'),
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        introspection_endpoint: endpoint('introspect'),
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      })
      const prefixed = await get(`${env.origin}/oauth/.well-known/oauth-authorization-server`)
      expect(await jsonOf(prefixed)).toEqual(metadata)
    })

    it('metadata with JWT access tokens advertises the jwks_uri, and the JWKS publishes the active key, public parts only', async () => {
      const { env, as } = targets().jwt
      expect(as.jwks_uri).toBe(`${env.origin}/oauth/jwks`)
      expect(as.code_challenge_methods_supported).toEqual(['S256'])
      expect(as.scopes_supported).toBeUndefined()
      const response = await get(as.jwks_uri!)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      expect(response.headers.get('cache-control')).toBe('public, max-age=30')
      const jwks = (await response.json()) as { keys: Record<string, unknown>[] }
      const [active] = await env.server.listSigningKeys(['active'])
      expect(jwks.keys.map((key) => key.kid)).toContain(active!.kid)
      for (const key of jwks.keys) expect(key).not.toHaveProperty('d')
    })

    it('JWT access tokens (RFC 9068) verify against the JWKS; after rotateSigningKey both keys are published and both tokens work', async () => {
      const { env, as } = targets().jwt
      const tokens = await obtainTokens(env, as)
      const verify = async (accessToken: string) => {
        const metadata = await oauth.processDiscoveryResponse(
          new URL(env.issuer),
          await oauth.discoveryRequest(new URL(env.issuer), { algorithm: 'oauth2', ...insecure }),
        )
        const request = new Request(new URL(TEST_ROUTES.invoices, env.origin), {
          headers: { authorization: `Bearer ${accessToken}` },
        })
        return oauth.validateJwtAccessToken(metadata, request, env.issuer, insecure)
      }
      const [before] = await env.server.listSigningKeys(['active'])
      const claims = await verify(tokens.access_token)
      expect(claims).toMatchObject({
        iss: env.issuer,
        sub: tokens.browser.user,
        client_id: env.clients.erp.id,
        scope: INVOICES_READ,
      })
      expect(
        JSON.parse(Buffer.from(tokens.access_token.split('.')[0]!, 'base64url').toString()),
      ).toMatchObject({
        typ: 'at+jwt',
        kid: before!.kid,
      })
      expect((await protectedResource(env, TEST_ROUTES.invoices, tokens.access_token)).status).toBe(200)

      const rotated = await env.server.rotateSigningKey()
      const jwks = (await (await get(as.jwks_uri!)).json()) as { keys: { kid: string }[] }
      expect(jwks.keys.map((key) => key.kid).sort()).toEqual([before!.kid, rotated.kid].sort())
      const next = await obtainTokens(env, as)
      expect(JSON.parse(Buffer.from(next.access_token.split('.')[0]!, 'base64url').toString()).kid).toBe(
        rotated.kid,
      )
      await verify(next.access_token)
      expect((await callResource(env, TEST_ROUTES.invoices, next.access_token)).status).toBe(200)
      expect((await callResource(env, TEST_ROUTES.invoices, tokens.access_token)).status).toBe(200)

      // A revoked JWT stops working at once (jwt.checkRevocation defaults to on).
      await oauth.revocationRequest(
        as,
        clientOf(env.clients.erp),
        secretPost(env.clients.erp),
        next.access_token,
        insecure,
      )
      await expectOAuthError(
        await callResource(env, TEST_ROUTES.invoices, next.access_token),
        401,
        'invalid_token',
      )
    })

    it('opaque access tokens carry the spoat_ prefix and are not JWTs; refresh tokens carry sport_', async () => {
      const { env, as } = targets().opaque
      const tokens = await obtainTokens(env, as)
      expect(tokens.access_token).toMatch(/^spoat_[A-Za-z0-9_-]+$/)
      expect(tokens.access_token.split('.')).toHaveLength(1)
      expect(tokens.refresh_token).toMatch(/^sport_[A-Za-z0-9_-]+$/)
      const service = await serviceToken(env, as, INVOICES_READ)
      expect(service.access_token).toMatch(/^spoat_/)
    })
  })
}
