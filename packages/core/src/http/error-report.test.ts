import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Storage } from '../config/options.js'
import { StorageUnavailableError } from '../errors/storage-unavailable-error.js'
import { createBrokenStorage } from '../test-support/broken-storage.js'
import { createTestClient, createTestServer } from '../test-support/test-server.js'
import { basicAuthorization } from '../test-support/token-helpers.js'
import { type ErrorReport, reportToStderr } from './error-report.js'
import type { HttpRequest } from './http-message.js'
import type { OAuthHttpOptions } from './http-options.js'
import { createOAuthHttp } from './oauth-http.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

function post(
  path: string,
  body: string,
  headers: Record<string, string> = {},
  context?: unknown,
): HttpRequest {
  return {
    method: 'POST',
    path,
    query: '',
    headers: { ...FORM, ...headers },
    body: new TextEncoder().encode(body),
    context,
  }
}

function setUp(storage: Storage, options: OAuthHttpOptions = {}) {
  const reports: { error: unknown; report: ErrorReport }[] = []
  const { server } = createTestServer({ storage })
  const http = createOAuthHttp(server, {
    onError: (error, report) => reports.push({ error, report }),
    ...options,
  })
  const send = async (request: HttpRequest) => {
    const outcome = await http.handle(http.route(request.method, request.path)!, request, null)
    if (outcome.kind !== 'respond') throw new Error(`expected a response, got ${outcome.kind}`)
    return outcome.response
  }
  return { http, reports, send }
}

const SECRET = 'the-client-secret-0123456789abcdef'
const CLIENT_ID = '6f1d3a52-3c1e-4d7a-9d0e-2b7c5f1e8a90'

describe('onError', () => {
  afterEach(() => vi.restoreAllMocks())

  it('a token request failing on a broken table is answered 500 and reported once, with the route, client and request id, and no secret', async () => {
    const thrown = new Error('relation "sp_oauth_clients" does not exist')
    const { reports, send } = setUp(createBrokenStorage(() => thrown))
    const context = { framework: 'request object' }
    const response = await send(
      post(
        '/oauth/token',
        `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${SECRET}`,
        { 'x-request-id': 'req-42' },
        context,
      ),
    )
    expect(response.status).toBe(500)
    expect(reports).toHaveLength(1)
    expect(reports[0]!.error).toBe(thrown)
    expect(reports[0]!.report).toEqual({
      route: 'token',
      method: 'POST',
      path: '/oauth/token',
      status: 500,
      clientId: CLIENT_ID,
      requestId: 'req-42',
      context,
    })
    expect(JSON.stringify(reports[0]!.report)).not.toContain(SECRET)
  })

  it('names the client of Basic credentials by its id alone, never the secret after the colon', async () => {
    const { reports, send } = setUp(createBrokenStorage(() => new Error('broken')))
    await send(post('/oauth/revoke', 'token=abc', { authorization: basicAuthorization(CLIENT_ID, SECRET) }))
    expect(reports.map(({ report }) => [report.route, report.clientId])).toEqual([['revoke', CLIENT_ID]])
    expect(JSON.stringify(reports[0]!.report)).not.toContain(SECRET)
  })

  it('reports an unavailable storage as the 503 it answers, and a malformed request id as none', async () => {
    const unavailable = new StorageUnavailableError({ cause: new Error('ECONNREFUSED') })
    const { reports, send } = setUp(createBrokenStorage(() => unavailable))
    const response = await send(
      post('/oauth/introspect', `token=abc&client_id=${CLIENT_ID}&client_secret=${SECRET}`, {
        'x-request-id': 'has space',
      }),
    )
    expect(response.status).toBe(503)
    expect(reports.map(({ report }) => [report.route, report.status, report.requestId])).toEqual([
      ['introspect', 503, null],
    ])
  })

  it('reports a bearer check that fails on the server side as the resource route', async () => {
    const { http, reports } = setUp(createBrokenStorage(() => new Error('broken')))
    const result = await http.protect(`Bearer spoat_${'A'.repeat(43)}`, {}, undefined, {
      method: 'GET',
      path: '/partner/invoices',
      headers: { 'x-request-id': 'r1' },
    })
    expect(result.response?.status).toBe(500)
    expect(reports.map(({ report }) => [report.route, report.path, report.requestId])).toEqual([
      ['resource', '/partner/invoices', 'r1'],
    ])
  })

  it('reports nothing the client caused: OAuth errors are answers, not failures', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    const reports: unknown[] = []
    const http = createOAuthHttp(server, { onError: (error) => reports.push(error) })
    const request = post(
      '/oauth/token',
      `grant_type=client_credentials&client_id=${client.id}&client_secret=wrong`,
    )
    const outcome = await http.handle(http.route('POST', '/oauth/token')!, request, null)
    expect(outcome.kind === 'respond' && outcome.response.status).toBe(401)
    expect((await http.protect('Bearer nope')).response?.status).toBe(401)
    expect(reports).toEqual([])
  })

  it('a reporter that throws does not change the answer', async () => {
    const { send } = setUp(
      createBrokenStorage(() => new Error('broken')),
      {
        onError: () => {
          throw new Error('the log is full')
        },
      },
    )
    expect(
      (
        await send(
          post(
            '/oauth/token',
            `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${SECRET}`,
          ),
        )
      ).status,
    ).toBe(500)
  })

  it('by default writes one JSON line on stderr: the report and the error with its cause, without the adapter context', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: string) => lines.push(line))
    const { server } = createTestServer({
      storage: createBrokenStorage(() => new StorageUnavailableError({ cause: new Error('ECONNRESET') })),
    })
    const http = createOAuthHttp(server)
    await http.handle(
      http.route('POST', '/oauth/token')!,
      post(
        '/oauth/token',
        `client_id=${CLIENT_ID}&client_secret=${SECRET}&grant_type=client_credentials`,
        {},
        { huge: 'context' },
      ),
      null,
    )
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0]!)
    expect(line).toMatchObject({
      level: 'error',
      route: 'token',
      status: 503,
      clientId: CLIENT_ID,
      error: { name: 'StorageUnavailableError', cause: { message: 'ECONNRESET' } },
    })
    expect(line).not.toHaveProperty('context')
    expect(lines[0]).not.toContain(SECRET)
  })

  it('reportToStderr writes a thrown non-Error as its text', () => {
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: string) => lines.push(line))
    reportToStderr('plain failure', {
      route: 'jwks',
      method: 'GET',
      path: '/oauth/jwks',
      status: 500,
      clientId: null,
      requestId: null,
      context: undefined,
    })
    expect(JSON.parse(lines[0]!).error).toEqual({ message: 'plain failure' })
  })

  it('refuses an onError that is not a function', () => {
    const { server } = createTestServer()
    expect(() => createOAuthHttp(server, { onError: 'log' as never })).toThrow(/onError: must be a function/)
  })
})
