import type { ErrorReport } from '@sp-oauth/core/http'
import { BROKEN_SERVER_CLIENT, createBrokenServer, listen } from '@sp-oauth/node-http/test-support'
import Koa, { type Context } from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { createOAuthKoa, type OAuthKoaOptions } from './index.js'

const CLIENT_ID = BROKEN_SERVER_CLIENT.id
const SECRET = BROKEN_SERVER_CLIENT.secret

async function startApp(options: Partial<OAuthKoaOptions>, failure: Error, app = new Koa()) {
  const oauth = createOAuthKoa(createBrokenServer(failure), {
    getUser: () => null,
    login: (ctx) => {
      ctx.status = 401
    },
    renderConsent: () => {},
    ...options,
  })
  app.use(oauth.routes)
  return listen(app.callback())
}

function tokenRequest(origin: string) {
  return fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'req-9' },
    body: `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${SECRET}`,
  })
}

describe('createOAuthKoa: onError', () => {
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const close of closers.splice(0)) await close()
  })

  it("by default emits the failure on the app, Koa's way, with the context, and still answers 500", async () => {
    const failure = new Error('relation "sp_oauth_clients" does not exist')
    const app = new Koa()
    const emitted: { error: unknown; path: string }[] = []
    app.on('error', (error: unknown, ctx: Context) => emitted.push({ error, path: ctx.path }))
    const started = await startApp({}, failure, app)
    closers.push(started.close)
    const response = await tokenRequest(started.origin)
    expect(response.status).toBe(500)
    expect((await response.json()).error).toBe('server_error')
    expect(emitted).toEqual([{ error: failure, path: '/oauth/token' }])
  })

  it('with onError given, hands it the report and the context instead, and emits nothing', async () => {
    const failure = new Error('broken table')
    const app = new Koa()
    const emitted: unknown[] = []
    app.on('error', (error: unknown) => emitted.push(error))
    const seen: { report: ErrorReport; path: string }[] = []
    const started = await startApp(
      { onError: (_error, report, ctx) => seen.push({ report, path: ctx.path }) },
      failure,
      app,
    )
    closers.push(started.close)
    expect((await tokenRequest(started.origin)).status).toBe(500)
    expect(seen.map(({ report, path }) => [report.route, report.clientId, report.requestId, path])).toEqual([
      ['token', CLIENT_ID, 'req-9', '/oauth/token'],
    ])
    expect(emitted).toEqual([])
  })
})
