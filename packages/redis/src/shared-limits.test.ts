import { createAuthorizationServer, webCrypto } from '@sp-oauth/core'
import { createOAuthHttp, type HttpRequest, type OAuthHttp } from '@sp-oauth/core/http'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisRateLimiter } from './redis-rate-limiter.js'
import { connectForTests, deleteKeys, testKeyPrefix } from './redis-test-support.js'

const keyPrefix = testKeyPrefix()
let client: Redis

beforeAll(async () => {
  client = await connectForTests()
})

afterAll(async () => {
  await deleteKeys(client, keyPrefix)
  await client.quit()
})

function tokenRequest(body: string, path = '/oauth/token'): HttpRequest {
  return {
    method: 'POST',
    path,
    query: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new TextEncoder().encode(body),
    remoteAddress: '203.0.113.50',
  }
}

async function status(http: OAuthHttp, request: HttpRequest): Promise<number> {
  const outcome = await http.handle(http.route(request.method, request.path)!, request, null)
  if (outcome.kind === 'respond' || outcome.kind === 'error') return outcome.response.status
  throw new Error(`unexpected ${outcome.kind}`)
}

/** Counts the commands `client` sends while `run` runs. */
async function commandsSent(client: Redis, run: () => Promise<unknown>): Promise<number> {
  const send = client.sendCommand
  let sent = 0
  client.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    sent++
    return send.apply(this, args)
  }
  try {
    await run()
  } finally {
    client.sendCommand = send
  }
  return sent
}

describe('request limits shared by several instances through Redis', () => {
  it('each limited request sends Redis one command, a failed client authentication too', async () => {
    const server = createAuthorizationServer({
      issuer: 'https://auth.example.com',
      storage: createMemoryStorage(),
      crypto: webCrypto({ keys: [{ id: 'k1', secret: 'round-trips-hash-key-0123456789abcdef' }] }),
    })
    const http = createOAuthHttp(server, {
      rateLimiter: createRedisRateLimiter({ client, keyPrefix: `${keyPrefix}round-trips:` }),
      onError: () => {},
    })
    const { client: oauthClient, plaintextSecret } = await server.createClient({
      name: 'Round trips',
      redirectUris: ['https://app.example.com/callback'],
      allowedGrants: ['client_credentials', 'authorization_code'],
      allowedScopes: ['invoices.read'],
      confidential: true,
    })
    const credentials = `client_id=${oauthClient.id}&client_secret=${plaintextSecret}`
    const good = `grant_type=client_credentials&${credentials}`
    const { access_token: token } = await server.issueTokenFromRequest({
      body: { grant_type: 'client_credentials', client_id: oauthClient.id, client_secret: plaintextSecret },
    })
    // Loads the script, so no request below pays for it.
    await status(http, tokenRequest(good))
    const requests: [string, HttpRequest, number][] = [
      ['token', tokenRequest(good), 200],
      [
        'wrong secret',
        tokenRequest(`grant_type=client_credentials&client_id=${oauthClient.id}&client_secret=no`),
        401,
      ],
      ['malformed', tokenRequest(`${good}&${good}`), 400],
      ['introspect', tokenRequest(`token=${token}&${credentials}`, '/oauth/introspect'), 200],
      ['revoke', tokenRequest(`token=${token}&${credentials}`, '/oauth/revoke'), 200],
      [
        'authorize',
        {
          ...tokenRequest(''),
          method: 'GET',
          path: '/oauth/authorize',
          query: `client_id=${oauthClient.id}`,
        },
        302,
      ],
    ]
    for (const [name, request, expected] of requests) {
      let answered = 0
      expect(await commandsSent(client, async () => (answered = await status(http, request))), name).toBe(1)
      expect(answered, name).toBe(expected)
    }
  })

  it('two HTTP surfaces on one Redis limiter count one allowance: what one spent, the other cannot', async () => {
    const storage = createMemoryStorage()
    const crypto = webCrypto({ keys: [{ id: 'k1', secret: 'shared-limits-hash-key-0123456789abcd' }] })
    const instances = [1, 2].map(() => {
      const server = createAuthorizationServer({ issuer: 'https://auth.example.com', storage, crypto })
      return {
        server,
        http: createOAuthHttp(server, {
          rateLimit: { perAddress: { token: { limit: 3, windowSeconds: 60 } }, lockout: false },
          rateLimiter: createRedisRateLimiter({ client, keyPrefix }),
          onError: () => {},
        }),
      }
    })
    const { client: oauthClient, plaintextSecret } = await instances[0]!.server.createClient({
      name: 'Shared limits',
      redirectUris: [],
      allowedGrants: ['client_credentials'],
      allowedScopes: ['invoices.read'],
      confidential: true,
    })
    const body = `grant_type=client_credentials&scope=invoices.read&client_id=${oauthClient.id}&client_secret=${plaintextSecret}`
    const [first, second] = instances.map(({ http }) => http)
    expect(await status(first!, tokenRequest(body))).toBe(200)
    expect(await status(first!, tokenRequest(body))).toBe(200)
    expect(await status(second!, tokenRequest(body))).toBe(200)
    expect(await status(second!, tokenRequest(body))).toBe(429)
    expect(await status(first!, tokenRequest(body))).toBe(429)
  })
})
