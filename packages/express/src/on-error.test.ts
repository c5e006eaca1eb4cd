import type { ErrorReport } from '@sp-oauth/core/http'
import { BROKEN_SERVER_CLIENT, createBrokenServer, listen } from '@sp-oauth/node-http/test-support'
import express, { type Request } from 'express'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createOAuthExpress, type OAuthExpressOptions } from './index.js'

const CLIENT_ID = BROKEN_SERVER_CLIENT.id
const SECRET = BROKEN_SERVER_CLIENT.secret

async function startApp(options: Partial<OAuthExpressOptions>, failure: Error) {
  const oauth = createOAuthExpress(createBrokenServer(failure), {
    getUser: () => null,
    login: (_req, res) => {
      res.status(401).end()
    },
    renderConsent: (_req, res) => {
      res.end()
    },
    ...options,
  })
  const app = express()
  app.use(oauth.routes)
  app.get('/partner/invoices', oauth.requireToken(), (_req, res) => res.json({}))
  return listen(app)
}

function tokenRequest(origin: string) {
  return fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'req-7' },
    body: `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${SECRET}`,
  })
}

describe('createOAuthExpress: onError', () => {
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    vi.restoreAllMocks()
    for (const close of closers.splice(0)) await close()
  })

  it('hands a failure on the server side to onError with its report and the Express request, after answering 500', async () => {
    const failure = new Error('relation "sp_oauth_clients" does not exist')
    const seen: { error: unknown; report: ErrorReport; url: string }[] = []
    const app = await startApp(
      { onError: (error, report, req: Request) => seen.push({ error, report, url: req.originalUrl }) },
      failure,
    )
    closers.push(app.close)
    const response = await tokenRequest(app.origin)
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({
      error: 'server_error',
      error_description: 'The server could not complete the request.',
    })
    const bearer = await fetch(`${app.origin}/partner/invoices`, {
      headers: { authorization: `Bearer spoat_${'A'.repeat(43)}` },
    })
    expect(bearer.status).toBe(500)
    expect(
      seen.map(({ error, report, url }) => [error, report.route, report.clientId, report.requestId, url]),
    ).toEqual([
      [failure, 'token', CLIENT_ID, 'req-7', '/oauth/token'],
      [failure, 'resource', null, null, '/partner/invoices'],
    ])
    expect(JSON.stringify(seen.map(({ report: { context: _req, ...report } }) => report))).not.toContain(
      SECRET,
    )
  })

  it('by default writes one JSON line on stderr, naming the route and client, never the secret', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: string) => lines.push(line))
    const app = await startApp({}, new Error('broken table'))
    closers.push(app.close)
    expect((await tokenRequest(app.origin)).status).toBe(500)
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({
      route: 'token',
      clientId: CLIENT_ID,
      requestId: 'req-7',
      error: { message: 'broken table' },
    })
    expect(lines[0]).not.toContain(SECRET)
  })
})
