import type { RequestListener } from 'node:http'
import { createOAuthExpress } from '@sp-oauth/express'
import express, { type Request, type Response } from 'express'
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

function sendPrincipal(req: Request, res: Response): void {
  res.json(principalBody(req.oauth!))
}

/** The test app on Express 5 through `@sp-oauth/express`, written as its README tells an app to. */
export const expressHarness: AdapterHarness = {
  name: 'express',
  createListener: (server, options) => {
    const oauth = createOAuthExpress(server, {
      getUser: (req) => testUserOf(req.headers),
      // A bare redirect, as every harness writes it (`res.redirect` would add a text body).
      login: (_req, res, returnTo, login) => {
        res.writeHead(302, { location: loginLocation(returnTo, login) }).end()
      },
      renderConsent: (_req, res, prompt) => {
        res.status(200).json(consentBody(prompt))
      },
      bodyLimitBytes: options.bodyLimitBytes,
      consentTicketTtlSeconds: options.consentTicketTtlSeconds,
      rateLimit: SUITE_RATE_LIMITS,
    })
    const app = express()
    app.disable('x-powered-by')
    app.use(oauth.routes)
    app.get(TEST_ROUTES.invoices, oauth.requireToken(), oauth.requireAllScopes(INVOICES_READ), sendPrincipal)
    app.get(
      TEST_ROUTES.anyScope,
      oauth.requireToken(),
      oauth.requireAnyScope(INVOICES_READ, INVOICES_WRITE),
      sendPrincipal,
    )
    app.get(
      TEST_ROUTES.trustedClient,
      oauth.requireToken(),
      oauth.requireClient(options.trustedClientId),
      sendPrincipal,
    )
    app.use((_req: Request, res: Response) => {
      res.status(404).json(NOT_FOUND_BODY)
    })
    return app as RequestListener
  },
}
