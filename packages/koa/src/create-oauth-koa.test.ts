import { ConfigurationError, type Principal } from '@sp-oauth/core'
import type { ConsentPrompt, HttpResponse, InteractionUser } from '@sp-oauth/core/http'
import Koa, { type Context, type Middleware } from 'koa'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'
import { createOAuthKoa, type OAuthKoa, type OAuthKoaOptions } from './index.js'
import { type Listening, listen } from './test-support/listen.js'
import {
  authorizeQuery,
  createOAuthFixture,
  FORM,
  type OAuthFixture,
  REDIRECT_URI,
  VERIFIER,
} from './test-support/oauth-fixture.js'
import { rawExchange } from './test-support/raw-http.js'

const TEN_MB = 10 * 1024 * 1024

let fixture: OAuthFixture
let listening: Listening | undefined
/** What the app's hooks and error handler saw. */
let seen: {
  getUser: number
  returnTo: string[]
  prompts: ConsentPrompt[]
  shown: HttpResponse[]
  errors: unknown[]
}
let signedIn: InteractionUser | null

beforeEach(async () => {
  fixture = await createOAuthFixture()
  seen = { getUser: 0, returnTo: [], prompts: [], shown: [], errors: [] }
  signedIn = null
})

afterEach(async () => {
  await listening?.close()
  listening = undefined
})

interface AppSetup {
  readonly options?: Partial<OAuthKoaOptions>
  /** Middleware used before the OAuth middleware. */
  readonly before?: (app: Koa) => void
  /** The app's own routes, used after the OAuth middleware. */
  readonly routes?: (app: Koa, oauth: OAuthKoa) => void
}

/** A route of the app's own: `stack` runs in order when method and path match. */
function on(method: string, path: string, ...stack: Middleware[]): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== method || ctx.path !== path) return next()
    const run = async (index: number): Promise<void> => {
      await stack[index]?.(ctx, () => run(index + 1))
    }
    await run(0)
  }
}

async function readText(ctx: Context): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function start(setup: AppSetup = {}): Promise<{ origin: string; port: number; oauth: OAuthKoa }> {
  const app = new Koa()
  app.silent = true
  app.use(async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      seen.errors.push(error)
      ctx.status = 500
      ctx.type = 'text'
      ctx.body = 'app error handler'
    }
  })
  const oauth = createOAuthKoa(fixture.server, {
    getUser: async () => {
      seen.getUser += 1
      return signedIn
    },
    login: (ctx, returnTo) => {
      seen.returnTo.push(returnTo)
      ctx.redirect(`/login?returnTo=${encodeURIComponent(returnTo)}`)
    },
    renderConsent: (ctx, prompt) => {
      seen.prompts.push(prompt)
      ctx.type = 'html'
      ctx.body = '<form>consent</form>'
    },
    ...setup.options,
  })
  setup.before?.(app)
  app.use(oauth.middleware)
  setup.routes?.(app, oauth)
  app.use((ctx) => {
    ctx.status = 404
    ctx.type = 'text'
    ctx.body = 'not an app route'
  })
  listening = await listen(app.callback())
  return { origin: listening.origin, port: listening.port, oauth }
}

async function clientCredentialsToken(origin: string, scope: string): Promise<string> {
  const response = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: fixture.basic },
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
    headers: { ...FORM, authorization: fixture.basic },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER,
    }).toString(),
  })
}

function headerNames(response: Response): string[] {
  const names: string[] = []
  response.headers.forEach((_value, name) => {
    names.push(name)
  })
  return names.sort()
}

describe('the middleware copies the core response exactly', () => {
  it('sends revoke as 200 with no body and no content type', async () => {
    const { origin } = await start()
    const response = await fetch(`${origin}/oauth/revoke`, {
      method: 'POST',
      headers: { ...FORM, authorization: fixture.basic },
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

  it('sends a token response with its own content type and no ETag', async () => {
    const { origin } = await start()
    const response = await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: fixture.basic },
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

describe('the middleware passes other requests on', () => {
  it('leaves paths that are not OAuth routes to the app', async () => {
    const { origin } = await start({
      routes: (app) =>
        app.use(
          on('POST', '/echo', async (ctx) => {
            ctx.body = await readText(ctx)
          }),
        ),
    })
    const missing = await fetch(`${origin}/oauth/unknown`)
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe('not an app route')
    // The middleware did not touch this body: the app's own parser still reads it.
    const echo = await fetch(`${origin}/echo`, { method: 'POST', body: 'hello' })
    expect(await echo.text()).toBe('hello')
  })
})

describe('the body limit', () => {
  it('refuses a declared content-length over the limit without reading the body', async () => {
    const { port } = await start({ options: { bodyLimitBytes: 1024 } })
    // 1 KiB of a declared 10 MB is sent: a server that read before refusing would wait for the rest.
    const answer = await rawExchange({
      port,
      head: `POST /oauth/token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${FORM['content-type']}\r\ncontent-length: ${TEN_MB}`,
      body: 'a'.repeat(1024),
    })
    expect(answer.status).toBe(413)
    expect(answer.headers.connection).toBe('close')
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_request',
      error_description: 'The request body exceeds 1024 bytes.',
    })
    expect(answer.closed).toBe(true)
  })

  it('stops reading a chunked body as soon as it passes the limit, and hangs up', async () => {
    const socketBytesRead: Promise<number>[] = []
    const { port } = await start({
      options: { bodyLimitBytes: 1024 },
      before: (app) =>
        app.use((ctx, next) => {
          const { socket } = ctx.req
          socketBytesRead.push(
            new Promise((resolve) => socket.once('close', () => resolve(socket.bytesRead))),
          )
          return next()
        }),
    })
    const answer = await rawExchange({
      port,
      head: `POST /oauth/token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${FORM['content-type']}\r\ntransfer-encoding: chunked`,
      streamBytes: TEN_MB,
    })
    expect(answer.status).toBe(413)
    expect(answer.headers.connection).toBe('close')
    expect(answer.closed).toBe(true)
    expect(answer.bytesSent).toBeLessThan(TEN_MB)
    // What the server took off the socket before hanging up: a few reads, not the 10 MB.
    const [bytesRead] = await Promise.all(socketBytesRead)
    expect(bytesRead).toBeLessThan(1024 * 1024)
  })

  it('reads a body of exactly the limit', async () => {
    const body = 'grant_type=client_credentials&scope=invoices.read'
    const { origin } = await start({ options: { bodyLimitBytes: Buffer.byteLength(body) } })
    const response = await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: fixture.basic },
      body,
    })
    expect(response.status).toBe(200)
  })

  it('does not read the body of GET routes', async () => {
    const { port } = await start({ options: { bodyLimitBytes: 1024 } })
    // Declared 10 MB and never sent: reading, or checking the length, would not answer 200.
    const answer = await rawExchange({
      port,
      head: `GET /.well-known/oauth-authorization-server HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${TEN_MB}`,
    })
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ issuer: 'http://127.0.0.1' })
  })

  it('refuses to work from a body a parser mounted before it already read', async () => {
    // As koa-bodyparser would: the stream is read to its end before the OAuth middleware runs.
    const { origin } = await start({
      before: (app) =>
        app.use(async (ctx, next) => {
          await readText(ctx)
          await next()
        }),
    })
    const response = await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: fixture.basic },
      body: 'grant_type=client_credentials',
    })
    expect(response.status).toBe(500)
    expect(seen.errors).toHaveLength(1)
    expect(seen.errors[0]).toBeInstanceOf(ConfigurationError)
    expect(String(seen.errors[0])).toMatch(/before any body parser/)
  })
})

describe('the bearer guards', () => {
  const resource = (app: Koa, oauth: OAuthKoa): void => {
    app.use(
      on('GET', '/token-only', oauth.requireToken(), (ctx) => {
        expectTypeOf(ctx.state.oauth).toEqualTypeOf<Principal | undefined>()
        ctx.body = { client: ctx.state.oauth!.clientId, scopes: ctx.state.oauth!.scopes }
      }),
    )
    app.use(
      on('GET', '/invoices', oauth.requireToken(), oauth.requireAllScopes('invoices.read'), (ctx) => {
        ctx.body = { client: ctx.state.oauth!.clientId }
      }),
    )
    app.use(
      on('GET', '/write', oauth.requireAllScopes('invoices.write'), (ctx) => {
        ctx.body = { client: ctx.state.oauth!.clientId }
      }),
    )
    app.use(
      on('GET', '/any', oauth.requireAnyScope('invoices.write', 'invoices.read'), (ctx) => {
        ctx.body = { client: ctx.state.oauth!.clientId }
      }),
    )
    app.use(
      on('GET', '/mine', oauth.requireClient(fixture.client.id), (ctx) => {
        ctx.body = { client: ctx.state.oauth!.clientId }
      }),
    )
    app.use(
      on('GET', '/theirs', oauth.requireClient('00000000-0000-4000-8000-000000000000'), (ctx) => {
        ctx.body = {}
      }),
    )
  }

  it('challenges a request without a token: 401, Bearer challenge, no body', async () => {
    const { origin } = await start({ routes: resource })
    const response = await fetch(`${origin}/token-only`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="oauth"')
    expect(await response.text()).toBe('')
  })

  it('refuses an unknown token with invalid_token', async () => {
    const { origin } = await start({ routes: resource })
    const response = await fetch(`${origin}/token-only`, { headers: { authorization: 'Bearer nope' } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="oauth", error="invalid_token"/)
  })

  it('sets the principal on ctx.state.oauth', async () => {
    const { origin } = await start({ routes: resource })
    const token = await clientCredentialsToken(origin, 'invoices.read')
    const response = await fetch(`${origin}/token-only`, { headers: { authorization: `Bearer ${token}` } })
    expect(await response.json()).toEqual({ client: fixture.client.id, scopes: ['invoices.read'] })
    const invoices = await fetch(`${origin}/invoices`, { headers: { authorization: `Bearer ${token}` } })
    expect(await invoices.json()).toEqual({ client: fixture.client.id })
  })

  it('requireAllScopes authenticates on its own and answers 403 insufficient_scope naming the scope', async () => {
    const { origin } = await start({ routes: resource })
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
    const { origin } = await start({ routes: resource })
    const token = await clientCredentialsToken(origin, 'invoices.read')
    const response = await fetch(`${origin}/any`, { headers: { authorization: `Bearer ${token}` } })
    expect(await response.json()).toEqual({ client: fixture.client.id })
  })

  it('requireClient accepts only its clients', async () => {
    const { origin } = await start({ routes: resource })
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
    const target = `/oauth/authorize?${await authorizeQuery(fixture.client.id)}`
    const response = await fetch(`${origin}${target}`, { redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(seen.returnTo).toEqual([target])
    expect(response.headers.get('location')).toBe(`/login?returnTo=${encodeURIComponent(target)}`)
  })

  it('asks getUser only on interactive routes', async () => {
    const { origin } = await start()
    await clientCredentialsToken(origin, 'invoices.read')
    await fetch(`${origin}/.well-known/oauth-authorization-server`)
    expect(seen.getUser).toBe(0)
    await fetch(`${origin}/oauth/authorize?${await authorizeQuery(fixture.client.id)}`, {
      redirect: 'manual',
    })
    expect(seen.getUser).toBe(1)
  })

  it('hands the consent prompt to the app, and the approve form completes the flow', async () => {
    const { origin } = await start({
      routes: (app, oauth) =>
        app.use(
          on('GET', '/me', oauth.requireAllScopes('invoices.read'), (ctx) => {
            ctx.body = { user: ctx.state.oauth!.userId }
          }),
        ),
    })
    signedIn = { user: 'user-1', session: 'session-1' }
    const consent = await fetch(`${origin}/oauth/authorize?${await authorizeQuery(fixture.client.id)}`)
    expect(await consent.text()).toBe('<form>consent</form>')
    const [prompt] = seen.prompts
    expect(prompt?.request.client.id).toBe(fixture.client.id)
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
    expect(await me.json()).toEqual({ user: 'user-1' })
  })

  it('the deny form sends access_denied back to the client', async () => {
    const { origin } = await start()
    signedIn = { user: 'user-1', session: 'session-1' }
    await fetch(`${origin}/oauth/authorize?${await authorizeQuery(fixture.client.id)}`)
    const denied = await fetch(`${origin}/oauth/authorize/deny`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ ticket: seen.prompts[0]!.ticket }).toString(),
      redirect: 'manual',
    })
    expect(denied.status).toBe(302)
    expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied')
  })

  it('shows errors that may not be redirected through renderError', async () => {
    const { origin } = await start({
      options: {
        renderError: (ctx, problem, response) => {
          expect(problem).toMatchObject({ status: 400, error: 'invalid_request' })
          seen.shown.push(response)
          ctx.status = response.status
          ctx.type = 'html'
          ctx.body = '<p>error page</p>'
        },
      },
    })
    const response = await fetch(`${origin}/oauth/authorize?client_id=unknown&response_type=code`)
    expect(response.status).toBe(400)
    expect(await response.text()).toBe('<p>error page</p>')
    expect(seen.shown).toHaveLength(1)
    expect(JSON.parse(seen.shown[0]!.body!)).toMatchObject({ error: 'invalid_request' })
  })

  it('without renderError, sends the core error as is', async () => {
    const { origin } = await start()
    const response = await fetch(`${origin}/oauth/authorize?client_id=unknown&response_type=code`)
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })

  it("lets a hook's error propagate through Koa's middleware", async () => {
    const failure = new Error('session store down')
    const { origin } = await start({
      options: {
        getUser: () => {
          throw failure
        },
      },
    })
    const response = await fetch(`${origin}/oauth/authorize?${await authorizeQuery(fixture.client.id)}`)
    expect(response.status).toBe(500)
    expect(await response.text()).toBe('app error handler')
    expect(seen.errors).toEqual([failure])
  })
})

describe('the helpers for an app with its own authorize route', () => {
  const ownRoute = (app: Koa, oauth: OAuthKoa): void => {
    app.use(
      on('GET', '/my-authorize', async (ctx) => {
        try {
          const request = await oauth.validateAuthorizationRequest(ctx)
          await oauth.approveAndRedirect(ctx, request, 'user-7', { remember: true })
        } catch (error) {
          oauth.sendError(ctx, error)
        }
      }),
    )
  }

  it('validates the raw query, approves and redirects, and the code exchanges at the token endpoint', async () => {
    const { origin } = await start({ routes: ownRoute })
    const response = await fetch(`${origin}/my-authorize?${await authorizeQuery(fixture.client.id)}`, {
      redirect: 'manual',
    })
    expect(response.status).toBe(302)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const location = response.headers.get('location')!
    const tokens = await exchangeCode(origin, location)
    expect(tokens.status).toBe(200)
    expect(await tokens.json()).toMatchObject({ token_type: 'Bearer', scope: 'invoices.read' })
    // remember: the next authorization of these scopes skips the consent screen.
    signedIn = { user: 'user-7' }
    const again = await fetch(`${origin}/oauth/authorize?${await authorizeQuery(fixture.client.id)}`, {
      redirect: 'manual',
    })
    expect(again.status).toBe(302)
    expect(seen.prompts).toHaveLength(0)
  })

  it('sendError shows an error before the client is trusted and redirects one after', async () => {
    const { origin } = await start({ routes: ownRoute })
    const shown = await fetch(`${origin}/my-authorize?client_id=unknown&response_type=code`)
    expect(shown.status).toBe(400)
    expect(await shown.json()).toMatchObject({ error: 'invalid_request' })
    const query = (await authorizeQuery(fixture.client.id)).replace('scope=invoices.read', 'scope=admin')
    const redirected = await fetch(`${origin}/my-authorize?${query}`, { redirect: 'manual' })
    expect(redirected.status).toBe(302)
    const location = new URL(redirected.headers.get('location')!)
    expect(location.searchParams.get('error')).toBe('invalid_scope')
    expect(location.searchParams.get('state')).toBe('s/1 x')
  })
})

describe('createOAuthKoa', () => {
  it('lists every missing hook at construction', () => {
    const options = {} as OAuthKoaOptions
    expect(() => createOAuthKoa(fixture.server, options)).toThrow(
      /getUser: must be a function[\s\S]*login: must be a function[\s\S]*renderConsent: must be a function/,
    )
  })
})
