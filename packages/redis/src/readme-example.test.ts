import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectForTests, REDIS_URL } from './redis-test-support.js'

type Example = typeof import('./readme-example.js')
let example: Example
const clientId = `readme-example-${crypto.randomUUID()}`
// A documentation network per run, so a second run does not find this one's lock-out.
const network = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}`

beforeAll(async () => {
  process.env.REDIS_URL = REDIS_URL
  example = await import('./readme-example.js')
})

afterAll(async () => {
  const admin = await connectForTests()
  await admin.del(
    `sp-oauth:rate-limit:token:client:${clientId}`,
    `sp-oauth:rate-limit:token:ip:${network}::/64`,
  )
  await admin.quit()
  await example.redis.quit()
})

const redis = () => example.redis

describe('the README example', () => {
  it('limits a token request by client and by the address the proxy appended, locking out after 5 failures', async () => {
    const request = { remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': `6.6.6.6, ${network}::7` } }
    for (let i = 1; i <= 5; i++) {
      expect(await example.limitTokenRequest(request, clientId, 'failure')).toMatchObject({
        allowed: true,
        failures: i,
      })
    }
    expect(await example.limitTokenRequest(request, clientId, 'success')).toMatchObject({
      allowed: false,
      retryAfterSeconds: 15,
    })
    expect(
      await example.limitTokenRequest({ remoteAddress: undefined, headers: {} }, null, 'success'),
    ).toBeNull()
    expect(await redis().exists(`sp-oauth:rate-limit:token:ip:${network}::/64`)).toBe(1)
  })
})
