import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { AuthorizationServer } from '@sp-oauth/core'
import { createOAuthHttp, type HttpResponse, type ResourceRequirement } from '@sp-oauth/core/http'
import {
  type AdapterHarness,
  consentBody,
  INVOICES_READ,
  INVOICES_WRITE,
  loginLocation,
  NOT_FOUND_BODY,
  principalBody,
  TEST_ROUTES,
  type TestAppOptions,
  testUserOf,
} from './adapter-harness.js'

/**
 * The reference harness: the test app over plain `node:http` and `@sp-oauth/core/http`, with no
 * framework. It does what the core's HTTP surface asks of an adapter and nothing more, so the
 * suite can be developed and checked without the framework adapters, and their answers compared
 * with it.
 */
export const rawHarness: AdapterHarness = {
  name: 'raw node:http',
  createListener: (server, options) => createRawListener(server, options),
}

function createRawListener(server: AuthorizationServer, options: TestAppOptions): RequestListener {
  const http = createOAuthHttp(server, {
    bodyLimitBytes: options.bodyLimitBytes,
    consentTicketTtlSeconds: options.consentTicketTtlSeconds,
  })
  const resources = new Map<string, ResourceRequirement>([
    [TEST_ROUTES.invoices, { allScopes: [INVOICES_READ] }],
    [TEST_ROUTES.anyScope, { anyScope: [INVOICES_READ, INVOICES_WRITE] }],
    [TEST_ROUTES.trustedClient, { clients: [options.trustedClientId] }],
  ])

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // An absolute-form target (RFC 9112 §3.2.2) counts as its path and query.
    const received = req.url ?? '/'
    const authority = /^https?:\/\/[^/?#]*/i.exec(received)?.[0] ?? ''
    const rest = received.slice(authority.length)
    const target = authority !== '' && !rest.startsWith('/') ? `/${rest}` : rest
    const split = target.indexOf('?')
    const path = split === -1 ? target : target.slice(0, split)
    const query = split === -1 ? '' : target.slice(split + 1)
    const method = req.method ?? 'GET'
    const route = http.route(method, path)
    if (route) {
      let body: Uint8Array | null = null
      if (route.readsBody) {
        const read = await readBody(req, http.bodyLimitBytes)
        if (read === null) return send(res, http.payloadTooLarge())
        body = read
      }
      const signedIn = route.interactive ? testUserOf(req.headers) : null
      const outcome = await http.handle(
        route,
        { method, path, query, headers: flatHeaders(req.headers), body },
        signedIn,
      )
      switch (outcome.kind) {
        case 'respond':
        case 'error': // An error the app may show its own way; the test app sends it as it is.
          return send(res, outcome.response)
        case 'login':
          res.writeHead(302, { location: loginLocation(outcome.returnTo, outcome) }).end()
          return
        case 'consent':
          return sendJson(res, 200, consentBody(outcome.prompt))
      }
    }
    const requirement = method === 'GET' ? resources.get(path) : undefined
    if (requirement === undefined) return sendJson(res, 404, NOT_FOUND_BODY)
    const result = await http.protect(req.headers.authorization, requirement)
    if (result.response) return send(res, result.response)
    return sendJson(res, 200, principalBody(result.principal))
  }

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, http.errorResponse(new Error('unexpected')))
      else res.destroy()
    })
  }
}

/**
 * The body, or `null` once it passes `limit` bytes (by `Content-Length` or as it streams in). The
 * rest of a refused body is read and dropped, so the answer reaches the client.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length']
    if (declared !== undefined && Number(declared) > limit) {
      req.resume()
      resolve(null)
      return
    }
    const chunks: Buffer[] = []
    let length = 0
    let refused = false
    req.on('data', (chunk: Buffer) => {
      if (refused) return
      length += chunk.length
      if (length > limit) {
        refused = true
        resolve(null)
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!refused) resolve(new Uint8Array(Buffer.concat(chunks)))
    })
    req.on('error', reject)
  })
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

function send(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.status, { ...response.headers })
  res.end(response.body ?? undefined)
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body))
}
