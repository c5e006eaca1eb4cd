import { ConfigurationError, type Principal } from '@sp-oauth/core'
import {
  APP_ANSWERS,
  APP_ROUTES,
  authorizeQuery,
  createTestApp,
  FORM,
  guardedRoutes,
  listen,
  nodeAdapterSuite,
  OWN_AUTHORIZE_USER,
  principalBody,
  type StartedTestApp,
  type TestApp,
  useAdapterTestContext,
} from '@sp-oauth/node-http/test-support'
import Koa, { type Context, type Middleware, type ParameterizedContext } from 'koa'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createOAuthKoa, type OAuthKoaOptions, type OAuthState } from './index.js'

interface KoaSetup {
  /** Middleware used before the OAuth middleware. */
  readonly before?: (app: Koa) => void
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

/** The shared suite's test app on Koa 3, with a hand-written router (no extra dependency). */
async function start(test: TestApp, setup: KoaSetup = {}): Promise<StartedTestApp> {
  const { hooks } = test
  const { renderErrorPage } = hooks
  const oauth = createOAuthKoa(test.server, {
    ...test.options,
    getUser: () => hooks.getUser(),
    login: (ctx, returnTo) => ctx.redirect(hooks.login(returnTo)),
    renderConsent: (ctx, prompt) => {
      ctx.type = 'html'
      ctx.body = hooks.renderConsent(prompt)
    },
    ...(renderErrorPage && {
      renderErrorPage: (ctx, problem, response) => {
        ctx.status = response.status
        ctx.type = 'html'
        ctx.body = renderErrorPage(problem, response)
      },
    }),
  })
  const app = new Koa()
  app.silent = true
  app.use(async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      test.appError(error)
      ctx.status = 500
      ctx.type = 'text'
      ctx.body = APP_ANSWERS.error
    }
  })
  setup.before?.(app)
  app.use(oauth.routes)
  app.use(
    on('POST', APP_ROUTES.echo, async (ctx) => {
      ctx.body = await readText(ctx)
    }),
  )
  for (const [path, guards] of guardedRoutes(oauth, test.trustedClientId)) {
    app.use(
      on('GET', path, ...guards, (ctx) => {
        ctx.body = principalBody(ctx.state.oauth!)
      }),
    )
  }
  app.use(
    on('GET', APP_ROUTES.ownAuthorize, async (ctx) => {
      try {
        const request = await oauth.validateAuthorizationRequest(ctx)
        await oauth.approveAndRedirect(ctx, request, OWN_AUTHORIZE_USER, { remember: true })
      } catch (error) {
        oauth.sendError(ctx, error)
      }
    }),
  )
  app.use((ctx) => {
    ctx.status = 404
    ctx.type = 'text'
    ctx.body = APP_ANSWERS.notFound
  })
  return { ...(await listen(app.callback())), oauth }
}

nodeAdapterSuite({ name: 'koa', start: (test) => start(test) })

describe('createOAuthKoa on Koa', () => {
  const current = useAdapterTestContext()

  it('refuses to work from a body a parser mounted before it already read', async () => {
    const test = createTestApp(current.fixture)
    // As koa-bodyparser would: the stream is read to its end before the OAuth middleware runs.
    const { origin } = current.closeAfter(
      await start(test.app, {
        before: (app) =>
          app.use(async (ctx, next) => {
            await readText(ctx)
            await next()
          }),
      }),
    )
    const response = await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: current.fixture.basic },
      body: 'grant_type=client_credentials',
    })
    expect(response.status).toBe(500)
    expect(test.seen.errors).toHaveLength(1)
    expect(test.seen.errors[0]).toBeInstanceOf(ConfigurationError)
    expect(String(test.seen.errors[0])).toMatch(/before any body parser/)
  })

  it("lets a hook's error propagate through Koa's middleware", async () => {
    const failure = new Error('session store down')
    const test = createTestApp(current.fixture, {
      getUser: () => {
        throw failure
      },
    })
    const { origin } = current.closeAfter(await start(test.app))
    const response = await fetch(
      `${origin}/oauth/authorize?${await authorizeQuery(current.fixture.client.id)}`,
    )
    expect(response.status).toBe(500)
    expect(await response.text()).toBe(APP_ANSWERS.error)
    expect(test.seen.errors).toEqual([failure])
  })

  it('declares ctx.state.oauth, and OAuthState for apps that type their own state', () => {
    expectTypeOf<Context['state']['oauth']>().toEqualTypeOf<Principal | undefined>()
    interface AppState extends OAuthState {
      readonly requestId: string
    }
    expectTypeOf<ParameterizedContext<AppState>['state']['oauth']>().toEqualTypeOf<Principal | undefined>()
  })

  it('lists every missing hook at construction', () => {
    const options = {} as OAuthKoaOptions
    expect(() => createOAuthKoa(current.fixture.server, options)).toThrow(
      /getUser: must be a function[\s\S]*login: must be a function[\s\S]*renderConsent: must be a function/,
    )
  })
})
