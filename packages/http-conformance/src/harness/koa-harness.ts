import type { RequestListener } from 'node:http'
import { createOAuthKoa } from '@sp-oauth/koa'
import Koa, { type Context, type Middleware } from 'koa'
import {
  type AdapterHarness,
  consentBody,
  INVOICES_READ,
  INVOICES_WRITE,
  loginLocation,
  NOT_FOUND_BODY,
  principalBody,
  SUITE_RATE_LIMITS,
  TEST_ROUTES,
  testUserOf,
} from './adapter-harness.js'

/** Runs `middleware` one after the other, as a router would for one route. */
function chain(...middleware: Middleware[]): Middleware {
  return (ctx, next) => {
    const run = (index: number): Promise<void> =>
      index === middleware.length ? next() : Promise.resolve(middleware[index]!(ctx, () => run(index + 1)))
    return run(0)
  }
}

const sendPrincipal: Middleware = (ctx: Context) => {
  ctx.body = principalBody(ctx.state.oauth!)
}

/** The test app on Koa 3 through `@sp-oauth/koa`, with a hand-written router (no extra dependency). */
export const koaHarness: AdapterHarness = {
  name: 'koa',
  createListener: (server, options) => {
    const oauth = createOAuthKoa(server, {
      getUser: (ctx) => testUserOf(ctx.req.headers),
      // A bare redirect, as every harness writes it: `ctx.redirect` would add a text body, and a
      // `null` body would turn the status into 204, so an empty one without a content type.
      login: (ctx, returnTo, login) => {
        ctx.status = 302
        ctx.set('location', loginLocation(returnTo, login))
        ctx.body = ''
        ctx.remove('Content-Type')
      },
      renderConsent: (ctx, prompt) => {
        ctx.status = 200
        ctx.body = consentBody(prompt)
      },
      bodyLimitBytes: options.bodyLimitBytes,
      consentTicketTtlSeconds: options.consentTicketTtlSeconds,
      rateLimit: SUITE_RATE_LIMITS,
    })
    const routes = new Map<string, Middleware>([
      [
        TEST_ROUTES.invoices,
        chain(oauth.requireToken(), oauth.requireAllScopes(INVOICES_READ), sendPrincipal),
      ],
      [
        TEST_ROUTES.anyScope,
        chain(oauth.requireToken(), oauth.requireAnyScope(INVOICES_READ, INVOICES_WRITE), sendPrincipal),
      ],
      [
        TEST_ROUTES.trustedClient,
        chain(oauth.requireToken(), oauth.requireClient(options.trustedClientId), sendPrincipal),
      ],
    ])
    const app = new Koa()
    app.use(oauth.routes)
    app.use(async (ctx, next) => {
      const route = ctx.method === 'GET' || ctx.method === 'HEAD' ? routes.get(ctx.path) : undefined
      if (route) return route(ctx, next)
      ctx.status = 404
      ctx.body = NOT_FOUND_BODY
    })
    return app.callback() as RequestListener
  },
}
