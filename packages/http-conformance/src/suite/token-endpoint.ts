import { formPost, type RawResponse, rawRequest } from '@sp-oauth/node-http/test-support'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { INVOICES_READ, TEST_ROUTES } from '../harness/adapter-harness.js'
import {
  authorizeThroughConsent,
  callResource,
  clientOf,
  cookiesOf,
  exchangeCode,
  get,
  insecure,
  newBrowser,
  postForm,
  prepareAuthorization,
  serviceToken,
} from '../support/oauth-client.js'
import {
  BODY_LIMIT_BYTES,
  ERP_REDIRECT_URI,
  PUBLIC_REDIRECT_URI,
  type TestEnvironment,
} from '../support/test-environment.js'
import type { Targets } from './environments.js'
import { expectNoStore, expectOAuthError, expectRedirectedError } from './expectations.js'

const ENDPOINTS = ['/oauth/token', '/oauth/revoke', '/oauth/introspect'] as const

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`
}

/** A valid client_credentials body for the service client (secret in the body). */
function serviceBody(env: TestEnvironment): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: env.clients.service.id,
    client_secret: env.clients.service.secret!,
    scope: INVOICES_READ,
  }).toString()
}

function expectRawError(response: RawResponse, status: number, code: string, label: string): void {
  expect(
    { label, status: response.status, error: (response.json as { error?: string } | undefined)?.error },
    label,
  ).toEqual({ label, status, error: code })
  expect(response.headers['cache-control'], label).toBe('no-store')
}

/** The token, revocation and introspection endpoints: HTTP-level edges and client authentication. */
export function describeTokenEndpoint(targets: () => Targets): void {
  describe('token, revocation and introspection endpoints', () => {
    it('a wrong method gets 405 with Allow: POST', async () => {
      const { env } = targets().opaque
      for (const path of ENDPOINTS) {
        for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
          const response = await fetch(`${env.origin}${path}`, { method, redirect: 'manual' })
          await expectOAuthError(response, 405, 'invalid_request')
          expect(response.headers.get('allow'), `${method} ${path}`).toBe('POST')
        }
      }
    })

    it('a body that is not application/x-www-form-urlencoded (JSON, multipart, text, none) gets 400 invalid_request', async () => {
      const { env } = targets().opaque
      const json = JSON.stringify({ grant_type: 'client_credentials' })
      const multipart =
        '--b\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--b--\r\n'
      const bodies: { label: string; headers: Record<string, string>; body: string }[] = [
        { label: 'json', headers: { 'content-type': 'application/json' }, body: json },
        {
          label: 'multipart',
          headers: { 'content-type': 'multipart/form-data; boundary=b' },
          body: multipart,
        },
        { label: 'text', headers: { 'content-type': 'text/plain' }, body: serviceBody(env) },
        { label: 'no content type', headers: {}, body: serviceBody(env) },
        {
          label: 'latin-1 charset',
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=ISO-8859-1' },
          body: serviceBody(env),
        },
      ]
      for (const path of ENDPOINTS) {
        for (const { label, headers, body } of bodies) {
          const response = await rawRequest(env.origin, {
            method: 'POST',
            target: path,
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
            body,
          })
          expectRawError(response, 400, 'invalid_request', `${label} to ${path}`)
        }
      }
    })

    it('a form body with charset=UTF-8 (any case, quoted) is accepted', async () => {
      const { env } = targets().opaque
      for (const type of [
        'application/x-www-form-urlencoded; charset=UTF-8',
        'Application/X-WWW-Form-Urlencoded;charset="utf-8"',
      ]) {
        const response = await rawRequest(
          env.origin,
          formPost('/oauth/token', serviceBody(env), { 'content-type': type }),
        )
        expect(response.status, type).toBe(200)
      }
    })

    it('a duplicate parameter gets 400 invalid_request', async () => {
      const { env } = targets().opaque
      const body = serviceBody(env)
      for (const extra of [
        'grant_type=client_credentials',
        `client_id=${env.clients.service.id}`,
        'scope=invoices.read',
      ]) {
        const raw = await rawRequest(env.origin, formPost('/oauth/token', `${body}&${extra}`))
        expectRawError(raw, 400, 'invalid_request', extra)
      }
      const revoke = await rawRequest(
        env.origin,
        formPost('/oauth/revoke', 'token=a&token=b', {
          authorization: basic(env.clients.service.id, env.clients.service.secret!),
        }),
      )
      expectRawError(revoke, 400, 'invalid_request', 'duplicate token on revoke')
    })

    it(`a body over bodyLimitBytes (${BODY_LIMIT_BYTES}) gets 413, by Content-Length or chunked; a body at the limit is read`, async () => {
      const { env } = targets().opaque
      const atLimit = `${serviceBody(env)}&pad=`.padEnd(BODY_LIMIT_BYTES, 'x')
      const over = `${atLimit}x`
      for (const path of ENDPOINTS) {
        const read = await rawRequest(env.origin, formPost(path, atLimit))
        expect(read.status, `at the limit to ${path}`).not.toBe(413)
        expect(read.status).toBeLessThan(500)
        const declared = await rawRequest(env.origin, formPost(path, over))
        expectRawError(declared, 413, 'invalid_request', `Content-Length to ${path}`)
        const half = Math.floor(over.length / 2)
        const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`
        const chunked = await rawRequest(env.origin, {
          method: 'POST',
          target: path,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
          body: [chunk(over.slice(0, half)), chunk(over.slice(half)), '0\r\n\r\n'],
        })
        expectRawError(chunked, 413, 'invalid_request', `chunked to ${path}`)
      }
      // A much larger body is refused too (without reading it all first).
      const huge = await rawRequest(env.origin, formPost('/oauth/token', 'x'.repeat(1024 * 1024)))
      expectRawError(huge, 413, 'invalid_request', '1 MiB')
    })

    it('broken percent-encoding or invalid UTF-8 in the body gets 400 invalid_request, never 5xx', async () => {
      const { env } = targets().opaque
      const valid = serviceBody(env)
      const bodies: Record<string, Buffer> = {
        '%zz': Buffer.from(`${valid}&x=%zz`),
        '% at the end': Buffer.from(`${valid}&x=%`),
        '%C3%28': Buffer.from(`${valid}&x=%C3%28`),
        '%FF in a name': Buffer.from(`${valid}&%FF=1`),
        'raw bytes C3 28': Buffer.concat([Buffer.from(`${valid}&x=`), Buffer.from([0xc3, 0x28])]),
        'raw byte FF': Buffer.concat([Buffer.from(`${valid}&x=`), Buffer.from([0xff])]),
        'raw NUL': Buffer.concat([Buffer.from(`${valid}&x=`), Buffer.from([0x00])]),
      }
      for (const path of ENDPOINTS) {
        for (const [label, body] of Object.entries(bodies)) {
          const response = await rawRequest(env.origin, formPost(path, body))
          expectRawError(response, 400, 'invalid_request', `${label} to ${path}`)
        }
      }
    })

    it('invalid_client through HTTP Basic gets 401 with WWW-Authenticate: Basic (RFC 6749 §5.2)', async () => {
      const { env } = targets().opaque
      const headers = [
        basic(env.clients.service.id, 'f'.repeat(64)),
        basic('00000000-0000-4000-8000-000000000000', 'secret'),
        'Basic !!!not-base64',
        `Basic ${Buffer.from('no-colon').toString('base64')}`,
      ]
      for (const path of ENDPOINTS) {
        for (const authorization of headers) {
          const body = path === '/oauth/token' ? 'grant_type=client_credentials' : 'token=x'
          const response = await postForm(
            `${env.origin}${path}`,
            Object.fromEntries(new URLSearchParams(body)),
            {
              authorization,
            },
          )
          await expectOAuthError(response, 401, 'invalid_client')
          expect(response.headers.get('www-authenticate'), `${authorization} to ${path}`).toBe(
            `Basic realm="${env.realm}", charset="UTF-8"`,
          )
        }
      }
    })

    it('invalid_client through client_secret_post gets 401 with a Basic challenge, as every 401 must carry one', async () => {
      const { env } = targets().opaque
      for (const path of ENDPOINTS) {
        const fields: Record<string, string> =
          path === '/oauth/token' ? { grant_type: 'client_credentials' } : { token: 'x' }
        for (const credentials of [
          { client_id: env.clients.service.id, client_secret: 'f'.repeat(64) },
          { client_id: env.clients.service.id },
          { client_id: '00000000-0000-4000-8000-000000000000', client_secret: 'x' },
        ]) {
          const response = await postForm(`${env.origin}${path}`, { ...fields, ...credentials })
          await expectOAuthError(response, 401, 'invalid_client')
          expect(response.headers.get('www-authenticate'), path).toBe(
            `Basic realm="${env.realm}", charset="UTF-8"`,
          )
        }
      }
    })

    it('a client secret in the query string is refused with 400 invalid_request, even when correct', async () => {
      const { env } = targets().opaque
      const query = new URLSearchParams({
        client_id: env.clients.service.id,
        client_secret: env.clients.service.secret!,
      })
      for (const path of ENDPOINTS) {
        const fields: Record<string, string> =
          path === '/oauth/token'
            ? { grant_type: 'client_credentials', scope: INVOICES_READ }
            : { token: 'x' }
        const response = await postForm(`${env.origin}${path}?${query}`, fields)
        await expectOAuthError(response, 400, 'invalid_request')
      }
    })

    it('two client authentication methods at once are refused', async () => {
      const { env } = targets().opaque
      const response = await postForm(
        `${env.origin}/oauth/token`,
        { grant_type: 'client_credentials', client_secret: env.clients.service.secret! },
        { authorization: basic(env.clients.service.id, env.clients.service.secret!) },
      )
      await expectOAuthError(response, 400, 'invalid_request')
    })

    it('grant_type missing or unknown, and a grant the client may not use, are refused with the RFC codes', async () => {
      const { env } = targets().opaque
      const auth = { authorization: basic(env.clients.service.id, env.clients.service.secret!) }
      await expectOAuthError(await postForm(`${env.origin}/oauth/token`, {}, auth), 400, 'invalid_request')
      await expectOAuthError(
        await postForm(`${env.origin}/oauth/token`, { grant_type: 'password' }, auth),
        400,
        'unsupported_grant_type',
      )
      await expectOAuthError(
        await postForm(
          `${env.origin}/oauth/token`,
          { grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://x.example/cb' },
          auth,
        ),
        400,
        'unauthorized_client',
      )
      await expectOAuthError(
        await postForm(
          `${env.origin}/oauth/token`,
          { grant_type: 'client_credentials', scope: 'admin' },
          auth,
        ),
        400,
        'invalid_scope',
      )
    })

    it('a public client exchanges its code with PKCE and no secret; a wrong verifier or redirect_uri gets invalid_grant', async () => {
      const { env, as } = targets().opaque
      const client = env.clients.public
      const first = await authorizeThroughConsent(env, as, newBrowser(env), {
        client,
        redirectUri: PUBLIC_REDIRECT_URI,
      })
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        clientOf(client),
        await exchangeCode(as, first.prepared, first.callback),
      )
      expect(tokens.scope).toBe(INVOICES_READ)

      const wrongVerifier = await authorizeThroughConsent(env, as, newBrowser(env), {
        client,
        redirectUri: PUBLIC_REDIRECT_URI,
      })
      const refused = await oauth.authorizationCodeGrantRequest(
        as,
        clientOf(client),
        oauth.None(),
        wrongVerifier.callback,
        PUBLIC_REDIRECT_URI,
        oauth.generateRandomCodeVerifier(),
        insecure,
      )
      await expectOAuthError(refused, 400, 'invalid_grant')

      const wrongRedirect = await authorizeThroughConsent(env, as, newBrowser(env))
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        clientOf(env.clients.erp),
        oauth.ClientSecretPost(env.clients.erp.secret!),
        wrongRedirect.callback,
        'https://client.example.com/other-callback',
        wrongRedirect.prepared.codeVerifier,
        insecure,
      )
      await expectOAuthError(response, 400, 'invalid_grant')
    })

    it('PKCE binds the code: a verifier is required for a code issued with a challenge, and a confidential client gets no code without a challenge (RFC 9700 §2.1.1)', async () => {
      const { env, as } = targets().opaque
      const erp = { client_id: env.clients.erp.id, client_secret: env.clients.erp.secret! }
      const withChallenge = await authorizeThroughConsent(env, as, newBrowser(env))
      const exchange = (code: string, extra: Record<string, string>) =>
        postForm(`${env.origin}/oauth/token`, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: ERP_REDIRECT_URI,
          ...erp,
          ...extra,
        })
      await expectOAuthError(await exchange(withChallenge.callback.get('code')!, {}), 400, 'invalid_grant')

      // By default PKCE is required of every client, so no code is ever issued without a challenge
      // (the downgrade a verifier for such a code would be is refused too: see the core's tests).
      const prepared = await prepareAuthorization(env, as)
      prepared.url.searchParams.delete('code_challenge')
      prepared.url.searchParams.delete('code_challenge_method')
      expectRedirectedError(await get(prepared.url, cookiesOf(newBrowser(env))), {
        redirectUri: ERP_REDIRECT_URI,
        error: 'invalid_request',
        state: prepared.state,
        issuer: env.issuer,
      })
    })

    it("revoking another client's token is refused (400 unauthorized_client) and the token keeps working", async () => {
      const { env, as } = targets().opaque
      const service = await serviceToken(env, as, INVOICES_READ)
      const response = await oauth.revocationRequest(
        as,
        clientOf(env.clients.erp),
        oauth.ClientSecretPost(env.clients.erp.secret!),
        service.access_token,
        insecure,
      )
      await expectOAuthError(response, 400, 'unauthorized_client')
      expect((await callResource(env, TEST_ROUTES.invoices, service.access_token)).status).toBe(200)
    })

    it('introspection refuses a client that did not authenticate (public client, client_id only) with 401 invalid_client', async () => {
      const { env, as } = targets().opaque
      const service = await serviceToken(env, as, INVOICES_READ)
      const response = await postForm(`${env.origin}/oauth/introspect`, {
        token: service.access_token,
        client_id: env.clients.public.id,
      })
      await expectOAuthError(response, 401, 'invalid_client')
    })

    it('an expired authorization code (fake clock past authCodeTtlMinutes) gets invalid_grant', async () => {
      const { env, as } = targets().opaque
      const start = env.clock.now()
      try {
        const { prepared, callback } = await authorizeThroughConsent(env, as, newBrowser(env))
        env.clock.advanceMinutes(5)
        await expectOAuthError(await exchangeCode(as, prepared, callback), 400, 'invalid_grant')
      } finally {
        env.clock.set(start)
      }
    })

    it('a successful token response is JSON, no-store, no-cache', async () => {
      const { env } = targets().opaque
      const response = await fetch(`${env.origin}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: serviceBody(env),
      })
      expect(response.status).toBe(200)
      expectNoStore(response)
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
      await response.arrayBuffer()
    })
  })
}
