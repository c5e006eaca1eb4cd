import { connect } from 'node:net'
import { ConfigurationError } from '@sp-oauth/core'
import { describe, expect, it } from 'vitest'
import { useAdapterTestContext } from './adapter-test-context.js'
import { authorizeQuery, FORM, REDIRECT_URI, VERIFIER } from './oauth-fixture.js'
import { rawRequest } from './raw-http.js'
import {
  APP_ANSWERS,
  APP_ROUTES,
  createTestApp,
  type NodeAdapterHarness,
  OWN_AUTHORIZE_USER,
  type RecordingTestApp,
  type StartedTestApp,
  type TestAppSetup,
} from './test-app.js'

const TEN_MB = 10 * 1024 * 1024
/** Not asking the server to close, so that `closed` says whether it hung up on its own. */
const KEEP_ALIVE = { connection: 'keep-alive' }

/**
 * What every Node adapter does the same way, whatever its framework: the OAuth routes copy the
 * core's answers exactly and leave other requests to the app, bodies are read within the limit,
 * the hooks get what the core asks of the app, the bearer guards answer 401 / 403 as RFC 6750 says,
 * and the helpers serve an app's own authorize route. Each test serves a fresh app through
 * `harness` on a real socket.
 */
export function nodeAdapterSuite(harness: NodeAdapterHarness): void {
  describe(`${harness.name}: what every Node adapter does`, () => {
    const current = useAdapterTestContext()
    let test: RecordingTestApp

    async function start(setup: TestAppSetup = {}): Promise<StartedTestApp> {
      test = createTestApp(current.fixture, setup)
      return current.closeAfter(await harness.start(test.app))
    }

    async function clientCredentialsToken(origin: string, scope: string): Promise<string> {
      const response = await fetch(`${origin}/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, authorization: current.fixture.basic },
        body: `grant_type=client_credentials&scope=${encodeURIComponent(scope)}`,
      })
      expect(response.status).toBe(200)
      return ((await response.json()) as { access_token: string }).access_token
    }

    async function exchangeCode(origin: string, location: string): Promise<Response> {
      const code = new URL(location).searchParams.get('code')
      expect(code).toBeTruthy()
      return fetch(`${origin}/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, authorization: current.fixture.basic },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: code!,
          redirect_uri: REDIRECT_URI,
          code_verifier: VERIFIER,
        }).toString(),
      })
    }

    describe('the OAuth routes copy the core response exactly', () => {
      // Koa would turn a 200 without a body into 204 and give a string body text/plain.
      it('sends revoke as 200 with no body and no content type', async () => {
        const { origin } = await start()
        const response = await fetch(`${origin}/oauth/revoke`, {
          method: 'POST',
          headers: { ...FORM, authorization: current.fixture.basic },
          body: 'token=unknown',
        })
        expect(response.status).toBe(200)
        expect(headerNames(response)).toEqual([
          'cache-control',
          'connection',
          'content-length',
          'date',
          'keep-alive',
          'pragma',
        ])
        expect(response.headers.get('content-length')).toBe('0')
        expect(await response.text()).toBe('')
      })

      // Express's `res.send` would add an ETag, and Express an X-Powered-By unless disabled.
      it('sends a token response with its own content type and no ETag', async () => {
        const { origin } = await start()
        const response = await fetch(`${origin}/oauth/token`, {
          method: 'POST',
          headers: { ...FORM, authorization: current.fixture.basic },
          body: 'grant_type=client_credentials&scope=invoices.read',
        })
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
        expect(response.headers.get('cache-control')).toBe('no-store')
        expect(response.headers.get('etag')).toBeNull()
        expect(response.headers.get('x-powered-by')).toBeNull()
      })

      it('answers HEAD on a GET route with the GET headers and no body', async () => {
        const { origin } = await start()
        const get = await fetch(`${origin}/.well-known/oauth-authorization-server`)
        const body = await get.text()
        const head = await fetch(`${origin}/.well-known/oauth-authorization-server`, { method: 'HEAD' })
        expect(head.status).toBe(200)
        expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
        expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'))
        expect(await head.text()).toBe('')
      })
    })

    describe('other requests go on to the app', () => {
      it('serves the readiness route at healthPath: 200 with the statuses, no-store; other methods 405', async () => {
        const { origin } = await start({ healthPath: '/oauth/health' })
        const response = await fetch(`${origin}/oauth/health`)
        expect(response.status).toBe(200)
        expect(response.headers.get('cache-control')).toBe('no-store')
        expect(await response.json()).toEqual({
          status: 'ok',
          checks: { storage: 'ok', migrations: 'unknown', signingKeys: 'not used' },
        })
        expect((await fetch(`${origin}/oauth/health`, { method: 'POST' })).status).toBe(405)
      })

      it('leaves paths that are not OAuth routes to the app', async () => {
        const { origin } = await start()
        const missing = await fetch(`${origin}/oauth/unknown`)
        expect(missing.status).toBe(404)
        expect(await missing.text()).toBe(APP_ANSWERS.notFound)
        // The adapter did not touch this body: the app's own parser still reads it.
        const echo = await fetch(`${origin}${APP_ROUTES.echo}`, { method: 'POST', body: 'hello' })
        expect(await echo.text()).toBe('hello')
      })
    })

    describe('the body limit', () => {
      it('refuses a declared content-length over the limit without reading the body', async () => {
        const { origin } = await start({ bodyLimitBytes: 1024 })
        // 1 KiB of a declared 10 MB is sent: a server that read before refusing would wait for the rest.
        const answer = await rawRequest(origin, {
          method: 'POST',
          target: '/oauth/token',
          headers: { ...KEEP_ALIVE, ...FORM, 'content-length': String(TEN_MB) },
          body: 'a'.repeat(1024),
        })
        expect(answer.status).toBe(413)
        expect(answer.headers.connection).toBe('close')
        expect(JSON.parse(answer.text)).toEqual({
          error: 'invalid_request',
          error_description: 'The request body exceeds 1024 bytes.',
        })
        expect(answer.closed).toBe(true)
      })

      it('stops reading a chunked body as soon as it passes the limit, and hangs up', async () => {
        const { origin, bytesReadPerConnection } = await start({ bodyLimitBytes: 1024 })
        const answer = await rawRequest(origin, {
          method: 'POST',
          target: '/oauth/token',
          headers: { ...KEEP_ALIVE, ...FORM, 'transfer-encoding': 'chunked' },
          streamBytes: TEN_MB,
        })
        expect(answer.status).toBe(413)
        expect(answer.headers.connection).toBe('close')
        expect(answer.closed).toBe(true)
        expect(answer.bytesSent).toBeLessThan(TEN_MB)
        // What the server took off the socket before hanging up: a few reads, not the 10 MB.
        const [bytesRead] = await bytesReadPerConnection()
        expect(bytesRead).toBeLessThan(1024 * 1024)
      })

      it("takes a client gone mid-body for nobody to answer, not for the app's error handling", async () => {
        const { origin } = await start()
        const { port } = new URL(origin)
        await new Promise<void>((resolve) => {
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.write(
              'POST /oauth/token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 1000\r\n\r\ngrant_type=client_',
              () => setTimeout(() => socket.destroy(), 50),
            )
          })
          socket.on('close', () => resolve())
        })
        // The server has seen the hang-up by the time it answers a request sent after it.
        await new Promise((resolve) => setTimeout(resolve, 50))
        expect((await fetch(`${origin}/.well-known/oauth-authorization-server`)).status).toBe(200)
        expect(test.seen.errors).toEqual([])
      })

      it('reads a body of exactly the limit', async () => {
        const body = 'grant_type=client_credentials&scope=invoices.read'
        const { origin } = await start({ bodyLimitBytes: Buffer.byteLength(body) })
        const response = await fetch(`${origin}/oauth/token`, {
          method: 'POST',
          headers: { ...FORM, authorization: current.fixture.basic },
          body,
        })
        expect(response.status).toBe(200)
      })

      it('does not read the body of GET routes', async () => {
        const { origin } = await start({ bodyLimitBytes: 1024 })
        // Declared 10 MB and never sent: reading, or checking the length, would not answer 200.
        const answer = await rawRequest(origin, {
          method: 'GET',
          target: '/.well-known/oauth-authorization-server',
          headers: { ...KEEP_ALIVE, 'content-length': String(TEN_MB) },
        })
        expect(answer.status).toBe(200)
        expect(JSON.parse(answer.text)).toMatchObject({ issuer: 'http://127.0.0.1' })
      })
    })

    describe('the bearer guards', () => {
      it('challenges a request without a token: 401, Bearer challenge, no body', async () => {
        const { origin } = await start()
        const response = await fetch(`${origin}/token-only`)
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="oauth"')
        expect(await response.text()).toBe('')
      })

      it('refuses an unknown token with invalid_token', async () => {
        const { origin } = await start()
        const response = await fetch(`${origin}/token-only`, { headers: { authorization: 'Bearer nope' } })
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toMatch(
          /^Bearer realm="oauth", error="invalid_token"/,
        )
      })

      it("hands the principal to the app's handlers, through one guard or several", async () => {
        const { origin } = await start()
        const authorization = `Bearer ${await clientCredentialsToken(origin, 'invoices.read')}`
        const principal = { client: current.fixture.client.id, user: null, scopes: ['invoices.read'] }
        const response = await fetch(`${origin}/token-only`, { headers: { authorization } })
        expect(await response.json()).toEqual(principal)
        const invoices = await fetch(`${origin}/invoices`, { headers: { authorization } })
        expect(await invoices.json()).toEqual(principal)
      })

      it('requireAllScopes authenticates on its own and answers 403 insufficient_scope naming the scope', async () => {
        const { origin } = await start()
        const token = await clientCredentialsToken(origin, 'invoices.read')
        const response = await fetch(`${origin}/write`, { headers: { authorization: `Bearer ${token}` } })
        expect(response.status).toBe(403)
        expect(response.headers.get('www-authenticate')).toMatch(
          /^Bearer realm="oauth", error="insufficient_scope".*scope="invoices.write"$/,
        )
        expect(await response.json()).toMatchObject({ error: 'insufficient_scope', scope: 'invoices.write' })
        expect((await fetch(`${origin}/write`)).status).toBe(401)
      })

      it('requireAnyScope accepts any one of its scopes', async () => {
        const { origin } = await start()
        const token = await clientCredentialsToken(origin, 'invoices.read')
        const response = await fetch(`${origin}/any`, { headers: { authorization: `Bearer ${token}` } })
        expect(await response.json()).toMatchObject({ client: current.fixture.client.id })
      })

      it('requireClient accepts only its clients', async () => {
        const { origin } = await start()
        const token = await clientCredentialsToken(origin, 'invoices.read')
        const authorization = `Bearer ${token}`
        expect((await fetch(`${origin}/mine`, { headers: { authorization } })).status).toBe(200)
        const theirs = await fetch(`${origin}/theirs`, { headers: { authorization } })
        expect(theirs.status).toBe(403)
        expect(await theirs.json()).toMatchObject({ error: 'access_denied' })
      })

      it('refuses a guard with nothing to require', async () => {
        const { oauth } = await start()
        expect(() => oauth.requireAllScopes()).toThrow(ConfigurationError)
        expect(() => oauth.requireAnyScope()).toThrow(ConfigurationError)
        expect(() => oauth.requireClient()).toThrow(ConfigurationError)
      })
    })

    describe('the interactive routes', () => {
      it('sends a signed-out user to login with the exact raw authorize URL as returnTo', async () => {
        const { origin } = await start()
        const target = `/oauth/authorize?${await authorizeQuery(current.fixture.client.id)}`
        const response = await fetch(`${origin}${target}`, { redirect: 'manual' })
        expect(response.status).toBe(302)
        expect(test.seen.returnTo).toEqual([target])
        expect(response.headers.get('location')).toBe(`/login?returnTo=${encodeURIComponent(target)}`)
      })

      it('asks getUser only on interactive routes', async () => {
        const { origin } = await start()
        await clientCredentialsToken(origin, 'invoices.read')
        await fetch(`${origin}/.well-known/oauth-authorization-server`)
        expect(test.seen.getUserCalls).toBe(0)
        await fetch(`${origin}/oauth/authorize?${await authorizeQuery(current.fixture.client.id)}`, {
          redirect: 'manual',
        })
        expect(test.seen.getUserCalls).toBe(1)
      })

      it('hands the consent prompt to the app, and the approve form completes the flow', async () => {
        const { origin } = await start()
        test.signedIn = { user: 'user-1', session: 'session-1' }
        const consent = await fetch(
          `${origin}/oauth/authorize?${await authorizeQuery(current.fixture.client.id)}`,
        )
        expect(await consent.text()).toBe(APP_ANSWERS.consent)
        const [prompt] = test.seen.prompts
        expect(prompt?.request.client.id).toBe(current.fixture.client.id)
        expect(prompt?.request.scopes).toEqual(['invoices.read'])
        expect(prompt?.approvePath).toBe('/oauth/authorize/approve')
        expect(prompt?.denyPath).toBe('/oauth/authorize/deny')

        const approved = await fetch(`${origin}${prompt!.approvePath}`, {
          method: 'POST',
          headers: FORM,
          body: new URLSearchParams({ ticket: prompt!.ticket }).toString(),
          redirect: 'manual',
        })
        expect(approved.status).toBe(302)
        const location = approved.headers.get('location')!
        expect(location.startsWith(`${REDIRECT_URI}?code=`)).toBe(true)
        expect(new URL(location).searchParams.get('state')).toBe('s/1 x')
        const tokens = await exchangeCode(origin, location)
        expect(tokens.status).toBe(200)
        const { access_token } = (await tokens.json()) as { access_token: string }
        const me = await fetch(`${origin}/me`, { headers: { authorization: `Bearer ${access_token}` } })
        expect(await me.json()).toMatchObject({ user: 'user-1' })
      })

      it('the deny form sends access_denied back to the client', async () => {
        const { origin } = await start()
        test.signedIn = { user: 'user-1', session: 'session-1' }
        await fetch(`${origin}/oauth/authorize?${await authorizeQuery(current.fixture.client.id)}`)
        const denied = await fetch(`${origin}/oauth/authorize/deny`, {
          method: 'POST',
          headers: FORM,
          body: new URLSearchParams({ ticket: test.seen.prompts[0]!.ticket }).toString(),
          redirect: 'manual',
        })
        expect(denied.status).toBe(302)
        expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied')
      })

      it('shows errors that may not be redirected through renderErrorPage', async () => {
        const { origin } = await start({ rendersErrors: true })
        const response = await fetch(`${origin}/oauth/authorize?client_id=unknown&response_type=code`)
        expect(response.status).toBe(400)
        expect(await response.text()).toBe(APP_ANSWERS.errorPage)
        expect(test.seen.problems).toEqual([
          expect.objectContaining({ status: 400, error: 'invalid_request' }),
        ])
        expect(test.seen.shown).toHaveLength(1)
        expect(JSON.parse(test.seen.shown[0]!.body!)).toMatchObject({ error: 'invalid_request' })
      })

      it('without renderErrorPage, sends the core error as is', async () => {
        const { origin } = await start()
        const response = await fetch(`${origin}/oauth/authorize?client_id=unknown&response_type=code`)
        expect(response.status).toBe(400)
        expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
        expect(await response.json()).toMatchObject({ error: 'invalid_request' })
      })
    })

    describe('the helpers for an app with its own authorize route', () => {
      it('validates the raw query, approves and redirects, and the code exchanges at the token endpoint', async () => {
        const { origin } = await start()
        const query = await authorizeQuery(current.fixture.client.id)
        const response = await fetch(`${origin}${APP_ROUTES.ownAuthorize}?${query}`, { redirect: 'manual' })
        expect(response.status).toBe(302)
        expect(response.headers.get('cache-control')).toBe('no-store')
        const location = response.headers.get('location')!
        const tokens = await exchangeCode(origin, location)
        expect(tokens.status).toBe(200)
        expect(await tokens.json()).toMatchObject({ token_type: 'Bearer', scope: 'invoices.read' })
        // remember: the next authorization of these scopes skips the consent screen.
        test.signedIn = { user: OWN_AUTHORIZE_USER }
        const again = await fetch(`${origin}/oauth/authorize?${query}`, { redirect: 'manual' })
        expect(again.status).toBe(302)
        expect(test.seen.prompts).toHaveLength(0)
      })

      it('sendError shows an error before the client is trusted and redirects one after', async () => {
        const { origin } = await start()
        const shown = await fetch(`${origin}${APP_ROUTES.ownAuthorize}?client_id=unknown&response_type=code`)
        expect(shown.status).toBe(400)
        expect(await shown.json()).toMatchObject({ error: 'invalid_request' })
        const query = (await authorizeQuery(current.fixture.client.id)).replace(
          'scope=invoices.read',
          'scope=admin',
        )
        const redirected = await fetch(`${origin}${APP_ROUTES.ownAuthorize}?${query}`, { redirect: 'manual' })
        expect(redirected.status).toBe(302)
        const location = new URL(redirected.headers.get('location')!)
        expect(location.searchParams.get('error')).toBe('invalid_scope')
        expect(location.searchParams.get('state')).toBe('s/1 x')
      })
    })
  })
}

function headerNames(response: Response): string[] {
  const names: string[] = []
  response.headers.forEach((_value, name) => {
    names.push(name)
  })
  return names.sort()
}
