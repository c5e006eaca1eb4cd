import { describe, expect, it } from 'vitest'
import type { RateLimitAttempt, RateLimiter } from '../ports/rate-limiter.js'
import { createMemoryRateLimiter } from '../rate-limit/memory-rate-limiter.js'
import type { RateLimitOptions } from '../rate-limit/rate-limit-options.js'
import { createTestClient, createTestServer } from '../test-support/test-server.js'
import type { HttpRequest, HttpResponse } from './http-message.js'
import { createOAuthHttp, type OAuthHttp } from './oauth-http.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

function postTo(
  path: string,
  body: string,
  remoteAddress = '203.0.113.7',
  headers: Record<string, string> = {},
): HttpRequest {
  return {
    method: 'POST',
    path,
    query: '',
    headers: { ...FORM, ...headers },
    body: new TextEncoder().encode(body),
    remoteAddress,
  }
}

function tokenRequest(body: string, remoteAddress?: string, headers?: Record<string, string>): HttpRequest {
  return postTo('/oauth/token', body, remoteAddress, headers)
}

async function send(http: OAuthHttp, request: HttpRequest): Promise<HttpResponse> {
  const outcome = await http.handle(http.route(request.method, request.path)!, request, null)
  if (outcome.kind === 'respond' || outcome.kind === 'error') return outcome.response
  throw new Error(`unexpected ${outcome.kind}`)
}

async function setUp(rateLimit: RateLimitOptions | false) {
  const test = createTestServer()
  const client = await createTestClient(test.server, { allowedGrants: ['client_credentials'] })
  // The limiter on the test's clock, so lock-out waits can be walked through; every call recorded.
  const memory = createMemoryRateLimiter({ clock: test.clock })
  const calls: (readonly RateLimitAttempt[])[] = []
  const rateLimiter: RateLimiter = {
    consume: (attempts) => {
      calls.push(attempts)
      return memory.consume(attempts)
    },
  }
  const http = createOAuthHttp(test.server, { rateLimit, rateLimiter, onError: () => {} })
  const good = `grant_type=client_credentials&client_id=${client.id}&client_secret=${client.secret}`
  const bad = `grant_type=client_credentials&client_id=${client.id}&client_secret=wrong-secret`
  return { ...test, client, http, good, bad, calls }
}

const PER_MINUTE = (limit: number) => ({ limit, windowSeconds: 60 })

describe('request limits on the HTTP surface', () => {
  it('over the per-address limit: 429 with Retry-After and an OAuth error body, and nothing else done', async () => {
    const { http, good, events } = await setUp({ perAddress: { token: PER_MINUTE(3) }, lockout: false })
    for (let i = 0; i < 3; i++) expect((await send(http, tokenRequest(good))).status).toBe(200)
    const issued = events.length
    const refused = await send(http, tokenRequest(good))
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(refused.headers['cache-control']).toBe('no-store')
    expect(JSON.parse(refused.body!)).toMatchObject({ error: 'temporarily_unavailable' })
    expect(events).toHaveLength(issued)
    // Another address has its own allowance.
    expect((await send(http, tokenRequest(good, '198.51.100.9'))).status).toBe(200)
  })

  it('counts per client id across addresses', async () => {
    const { http, good } = await setUp({
      perClient: { token: PER_MINUTE(2) },
      perAddress: { token: false },
      lockout: false,
    })
    expect((await send(http, tokenRequest(good, '192.0.2.1'))).status).toBe(200)
    expect((await send(http, tokenRequest(good, '192.0.2.2'))).status).toBe(200)
    expect((await send(http, tokenRequest(good, '192.0.2.3'))).status).toBe(429)
  })

  it('locks a client out after repeated failed authentications, with a growing wait; the right secret waits too', async () => {
    const { http, good, bad, clock } = await setUp({
      lockout: { failuresBeforeLockout: 3, lockoutSeconds: 10, maxLockoutSeconds: 600, failureCost: 1 },
    })
    for (let i = 0; i < 3; i++) expect((await send(http, tokenRequest(bad))).status).toBe(401)
    const locked = await send(http, tokenRequest(good))
    expect(locked.status).toBe(429)
    expect(Number(locked.headers['retry-after'])).toBe(10)
    clock.advanceSeconds(10)
    expect((await send(http, tokenRequest(bad))).status).toBe(401)
    expect(Number((await send(http, tokenRequest(good))).headers['retry-after'])).toBe(20)
    clock.advanceSeconds(20)
    // The right secret then clears the failures.
    expect((await send(http, tokenRequest(good))).status).toBe(200)
    expect((await send(http, tokenRequest(bad))).status).toBe(401)
    expect((await send(http, tokenRequest(good))).status).toBe(200)
  })

  it('a malformed request does not count as a success that would clear a guesser failures', async () => {
    const { http, good, bad, client } = await setUp({
      lockout: { failuresBeforeLockout: 3, lockoutSeconds: 10, maxLockoutSeconds: 600, failureCost: 1 },
    })
    await send(http, tokenRequest(bad))
    await send(http, tokenRequest(bad))
    const malformed = await send(
      http,
      tokenRequest(`grant_type=client_credentials&client_id=${client.id}&client_id=${client.id}`),
    )
    expect(malformed.status).toBe(400)
    await send(http, tokenRequest(bad))
    expect((await send(http, tokenRequest(good))).status).toBe(429)
  })

  it('ignores X-Forwarded-For unless trustProxy says so; with one trusted hop, limits the address it names', async () => {
    const spoofed = await setUp({ perAddress: { token: PER_MINUTE(1) }, lockout: false })
    expect(
      (await send(spoofed.http, tokenRequest(spoofed.good, '10.0.0.1', { 'x-forwarded-for': '192.0.2.1' })))
        .status,
    ).toBe(200)
    expect(
      (await send(spoofed.http, tokenRequest(spoofed.good, '10.0.0.1', { 'x-forwarded-for': '192.0.2.2' })))
        .status,
    ).toBe(429)
    const proxied = await setUp({ perAddress: { token: PER_MINUTE(1) }, lockout: false, trustProxy: 1 })
    expect(
      (await send(proxied.http, tokenRequest(proxied.good, '10.0.0.1', { 'x-forwarded-for': '192.0.2.1' })))
        .status,
    ).toBe(200)
    expect(
      (await send(proxied.http, tokenRequest(proxied.good, '10.0.0.1', { 'x-forwarded-for': '192.0.2.2' })))
        .status,
    ).toBe(200)
    expect(
      (await send(proxied.http, tokenRequest(proxied.good, '10.0.0.1', { 'x-forwarded-for': '192.0.2.2' })))
        .status,
    ).toBe(429)
  })

  it('shows a refused authorize request to the app (never redirected), and limits nothing with rateLimit: false', async () => {
    const { http, client } = await setUp({ perAddress: { authorize: PER_MINUTE(1) } })
    const authorize = (): HttpRequest => ({
      method: 'GET',
      path: '/oauth/authorize',
      query: `response_type=code&client_id=${client.id}`,
      headers: {},
      body: null,
      remoteAddress: '192.0.2.5',
    })
    await http.handle(http.route('GET', '/oauth/authorize')!, authorize(), null)
    const refused = await http.handle(http.route('GET', '/oauth/authorize')!, authorize(), null)
    expect(refused.kind).toBe('error')
    expect(refused.kind === 'error' && refused.problem.status).toBe(429)
    const open = await setUp(false)
    for (let i = 0; i < 20; i++) expect((await send(open.http, tokenRequest(open.good))).status).toBe(200)
  })

  it('calls the limiter once per limited request, whatever its outcome, with the outcome of its client authentication', async () => {
    const { http, good, bad, client, calls, server } = await setUp({})
    const { access_token: accessToken } = await server.issueTokenFromRequest({
      body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret },
    })
    const credentials = `client_id=${client.id}&client_secret=${client.secret}`
    const basic = `Basic ${btoa(`${client.id}:wrong-secret`)}`
    const requests: [string, HttpRequest, number, string | undefined][] = [
      ['success', tokenRequest(good), 200, 'success'],
      ['wrong secret', tokenRequest(bad), 401, 'failure'],
      [
        'wrong secret by Basic',
        tokenRequest('grant_type=client_credentials', undefined, { authorization: basic }),
        401,
        'failure',
      ],
      [
        'unknown client',
        tokenRequest('grant_type=client_credentials&client_id=nobody&client_secret=x'),
        401,
        'failure',
      ],
      ['no client authentication', tokenRequest('grant_type=client_credentials'), 401, 'failure'],
      ['malformed', tokenRequest(`${good}&grant_type=client_credentials`), 400, undefined],
      ['unsupported grant', tokenRequest(`grant_type=password&client_id=${client.id}`), 400, undefined],
      ['secret in the query', { ...tokenRequest(good), query: 'client_secret=x' }, 400, undefined],
      ['introspect', postTo('/oauth/introspect', `token=${accessToken}&${credentials}`), 200, 'success'],
      [
        'introspect, wrong secret',
        postTo('/oauth/introspect', `token=x&client_id=${client.id}&client_secret=no`),
        401,
        'failure',
      ],
      ['revoke', postTo('/oauth/revoke', `token=${accessToken}&${credentials}`), 200, 'success'],
      ['revoke without a token', postTo('/oauth/revoke', credentials), 400, 'success'],
    ]
    for (const [name, request, status, outcome] of requests) {
      calls.length = 0
      expect((await send(http, request)).status, name).toBe(status)
      expect(calls, name).toHaveLength(1)
      for (const attempt of calls[0]!) expect(attempt.outcome, name).toBe(outcome)
    }
    calls.length = 0
    await http.handle(
      http.route('GET', '/oauth/authorize')!,
      { ...tokenRequest(''), method: 'GET', path: '/oauth/authorize', query: `client_id=${client.id}` },
      null,
    )
    expect(calls).toHaveLength(1)
    calls.length = 0
    expect((await send(http, postTo('/oauth/jwks', ''))).status).toBe(405)
    expect(calls).toHaveLength(0)
  })

  it('refused at the client authentication: the request does nothing, and says nothing about the credential', async () => {
    const { http, client, server, events, good, bad } = await setUp({
      perClient: { revoke: PER_MINUTE(1), token: PER_MINUTE(2) },
      lockout: false,
    })
    const { access_token: accessToken } = await server.issueTokenFromRequest({
      body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret },
    })
    const revoke = () =>
      postTo('/oauth/revoke', `token=${accessToken}&client_id=${client.id}&client_secret=${client.secret}`)
    expect(
      (
        await send(
          http,
          postTo('/oauth/revoke', `token=other&client_id=${client.id}&client_secret=${client.secret}`),
        )
      ).status,
    ).toBe(200)
    const before = events.length
    const refused = await send(http, revoke())
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBeDefined()
    expect(events).toHaveLength(before)
    expect((await server.introspectToken({ token: accessToken, callerClientId: client.id })).active).toBe(
      true,
    )
    // Over the limit, the right and the wrong secret get the same answer (and no failure event).
    for (let i = 0; i < 2; i++) expect((await send(http, tokenRequest(good))).status).toBe(200)
    const right = await send(http, tokenRequest(good))
    const wrong = await send(http, tokenRequest(bad))
    expect([right.status, wrong.status]).toEqual([429, 429])
    expect(wrong.body).toBe(right.body)
    expect(events.filter((event) => event.type === 'OAuthClientAuthenticationFailed')).toHaveLength(0)
  })

  it('charges the client that authenticates: a made-up client_id in the query draws nothing away from it', async () => {
    const { http, client, good, calls } = await setUp({
      perAddress: { token: false },
      lockout: { failuresBeforeLockout: 3, lockoutSeconds: 60, maxLockoutSeconds: 600, failureCost: 1 },
    })
    const basic = `Basic ${btoa(`${client.id}:wrong-secret`)}`
    for (let i = 0; i < 3; i++) {
      const request = {
        ...tokenRequest('grant_type=client_credentials', `192.0.2.${i}`, { authorization: basic }),
        query: `client_id=decoy-${i}`,
      }
      expect((await send(http, request)).status).toBe(401)
      expect(calls.at(-1)![0]!.key).toBe(`token:client:${client.id}`)
    }
    const fromBody = { ...tokenRequest(good, '192.0.2.99'), query: 'client_id=decoy' }
    expect((await send(http, fromBody)).status).toBe(429)
  })

  it('a malformed request over the limit is answered 429 too', async () => {
    const { http, client } = await setUp({ perAddress: { token: PER_MINUTE(1) }, lockout: false })
    const malformed = () => tokenRequest(`grant_type=password&client_id=${client.id}`)
    expect((await send(http, malformed())).status).toBe(400)
    expect((await send(http, malformed())).status).toBe(429)
  })

  it('names every bad rate limit option, and a limiter without consume', async () => {
    const { server } = createTestServer()
    expect(() =>
      createOAuthHttp(server, {
        rateLimit: { perAddress: { token: { limit: 0, windowSeconds: 60 } } },
        rateLimiter: {} as never,
      }),
    ).toThrow(/rateLimit\.perAddress\.token\.limit[\s\S]*rateLimiter: must have consume/)
  })
})
