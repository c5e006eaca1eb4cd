import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { AuthorizationServer, Principal } from '@sp-oauth/core'
import { createOAuthHttp, type HttpResponse } from '@sp-oauth/core/http'
import {
  createNodeGuards,
  createNodeOAuthHandler,
  type NodeExchange,
  type NodeMiddleware,
  splitRequestTarget,
} from '@sp-oauth/node-http'
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
  type TestAppOptions,
  testUserOf,
} from './adapter-harness.js'

/**
 * The reference harness: the test app on plain `node:http`, through the same shared flow as the
 * framework adapters (`@sp-oauth/node-http`) but with no framework around it. What the suite
 * finds here is the core's and the shared flow's; what differs on an adapter is the adapter's own.
 */
export const rawHarness: AdapterHarness = {
  name: 'raw node:http',
  createListener: (server, options) => createRawListener(server, options),
}

/** What the shared flow passes around for one request: the plain Node pair, and the guards' principal. */
interface RawExchange {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  principal?: Principal
}

const exchange: NodeExchange<RawExchange> = {
  request: ({ req }) => req,
  // No mount point: the target as received is the whole of it.
  originalUrl: ({ req }) => req.url ?? '/',
  write: ({ res }, response) => send(res, response),
  principal: (c) => c.principal,
  setPrincipal: (c, principal) => {
    c.principal = principal
  },
}

function createRawListener(server: AuthorizationServer, options: TestAppOptions): RequestListener {
  const http = createOAuthHttp(server, {
    bodyLimitBytes: options.bodyLimitBytes,
    consentTicketTtlSeconds: options.consentTicketTtlSeconds,
    rateLimit: SUITE_RATE_LIMITS,
  })
  const oauthRoutes = createNodeOAuthHandler<RawExchange>(
    http,
    {
      getUser: ({ req }) => testUserOf(req.headers),
      login: ({ res }, returnTo, login) => {
        res.writeHead(302, { location: loginLocation(returnTo, login) }).end()
      },
      renderConsent: ({ res }, prompt) => sendJson(res, 200, consentBody(prompt)),
    },
    exchange,
  )
  const oauth = createNodeGuards(http, exchange, (guard: NodeMiddleware<RawExchange>) => guard)
  const sendPrincipal: NodeMiddleware<RawExchange> = async ({ res, principal }) => {
    sendJson(res, 200, principalBody(principal!))
    return 'handled'
  }
  const resources = new Map<string, readonly NodeMiddleware<RawExchange>[]>([
    [TEST_ROUTES.invoices, [oauth.requireToken(), oauth.requireAllScopes(INVOICES_READ), sendPrincipal]],
    [
      TEST_ROUTES.anyScope,
      [oauth.requireToken(), oauth.requireAnyScope(INVOICES_READ, INVOICES_WRITE), sendPrincipal],
    ],
    [
      TEST_ROUTES.trustedClient,
      [oauth.requireToken(), oauth.requireClient(options.trustedClientId), sendPrincipal],
    ],
  ])
  const notFound: NodeMiddleware<RawExchange> = async ({ res }) => {
    sendJson(res, 404, NOT_FOUND_BODY)
    return 'handled'
  }

  return (req, res) => {
    const c: RawExchange = { req, res }
    // Routed as the framework harnesses route their own: GET (and so HEAD) by exact path.
    const resource =
      req.method === 'GET' || req.method === 'HEAD'
        ? resources.get(splitRequestTarget(req.url ?? '/').path)
        : undefined
    run(c, [oauthRoutes, ...(resource ?? []), notFound]).catch(() => {
      // What a framework's error handler is for: a hook that threw, a body the client abandoned.
      if (!res.headersSent) send(res, http.errorResponse(new Error('unexpected')))
      else res.destroy()
    })
  }
}

/** Runs `steps` in order until one answers the request, as a framework runs its middleware. */
async function run(c: RawExchange, steps: readonly NodeMiddleware<RawExchange>[]): Promise<void> {
  for (const step of steps) if ((await step(c)) === 'handled') return
}

function send(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.status, { ...response.headers })
  res.end(response.body ?? undefined)
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body))
}
