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

function tokenRequest(body: string): HttpRequest {
  return {
    method: 'POST',
    path: '/oauth/token',
    query: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new TextEncoder().encode(body),
    remoteAddress: '203.0.113.50',
  }
}

async function status(http: OAuthHttp, request: HttpRequest): Promise<number> {
  const outcome = await http.handle(http.route('POST', '/oauth/token')!, request, null)
  if (outcome.kind !== 'respond') throw new Error(`unexpected ${outcome.kind}`)
  return outcome.response.status
}

describe('request limits shared by several instances through Redis', () => {
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
