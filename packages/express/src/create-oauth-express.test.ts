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
import express, { type ErrorRequestHandler, type Express, type Request } from 'express'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createOAuthExpress, type OAuthExpressOptions } from './index.js'

interface ExpressSetup {
  /** Middleware mounted before the OAuth router. */
  readonly before?: (app: Express) => void
}

/** The shared suite's test app on Express 5, written as the README tells an app to. */
async function start(test: TestApp, setup: ExpressSetup = {}): Promise<StartedTestApp> {
  const { hooks } = test
  const { renderErrorPage } = hooks
  const oauth = createOAuthExpress(test.server, {
    ...test.options,
    getUser: () => hooks.getUser(),
    login: (_req, res, returnTo) => res.redirect(hooks.login(returnTo)),
    renderConsent: (_req, res, prompt) => {
      res.type('html').send(hooks.renderConsent(prompt))
    },
    ...(renderErrorPage && {
      renderErrorPage: (_req, res, problem, response) => {
        res.status(response.status).type('html').send(renderErrorPage(problem, response))
      },
    }),
  })
  const app = express()
  app.disable('x-powered-by')
  setup.before?.(app)
  app.use(oauth.routes)
  app.post(APP_ROUTES.echo, express.text({ type: '*/*' }), (req, res) => {
    res.send(req.body)
  })
  for (const [path, guards] of guardedRoutes(oauth, test.trustedClientId)) {
    app.get(path, ...guards, (req, res) => {
      res.json(principalBody(req.oauth!))
    })
  }
  app.get(APP_ROUTES.ownAuthorize, async (req, res) => {
    try {
      const request = await oauth.validateAuthorizationRequest(req)
      await oauth.approveAndRedirect(res, request, OWN_AUTHORIZE_USER, { remember: true })
    } catch (error) {
      oauth.sendError(res, error)
    }
  })
  app.use((_req, res) => {
    res.status(404).type('text').send(APP_ANSWERS.notFound)
  })
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    test.appError(error)
    res.status(500).type('text').send(APP_ANSWERS.error)
  }
  app.use(onError)
  return { ...(await listen(app)), oauth }
}

nodeAdapterSuite({ name: 'express', start: (test) => start(test) })

describe('createOAuthExpress on Express', () => {
  const current = useAdapterTestContext()

  it('refuses to work from a body a parser mounted before it already read', async () => {
    const test = createTestApp(current.fixture)
    const { origin } = current.closeAfter(
      await start(test.app, { before: (app) => app.use(express.urlencoded({ extended: false })) }),
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

  it("hands a hook's error to Express's error handling", async () => {
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

  it('declares req.oauth, where the guards put the principal, on every Express request', () => {
    expectTypeOf<Request['oauth']>().toEqualTypeOf<Principal | undefined>()
  })

  it('lists every missing hook at construction', () => {
    const options = {} as OAuthExpressOptions
    expect(() => createOAuthExpress(current.fixture.server, options)).toThrow(
      /getUser: must be a function[\s\S]*login: must be a function[\s\S]*renderConsent: must be a function/,
    )
  })
})
