// What a limited request costs against Redis: consumes per second of the Redis rate limiter next
// to a bare PING measured in the same run on the same connection, one call at a time (latency)
// and 32 in flight (throughput), and the commands each consume sends. The ratios are what to
// compare across machines; the absolute numbers are this machine's.
//
//   pnpm --filter @sp-oauth/redis bench          (builds first)
//   SP_OAUTH_BENCH_REDIS_URL=redis://… node bench/run.mjs
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createAuthorizationServer, webCrypto } from '@sp-oauth/core'
import { createOAuthHttp } from '@sp-oauth/core/http'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { Redis } from 'ioredis'
import { createRedisRateLimiter } from '../dist/index.js'

const url =
  process.env.SP_OAUTH_BENCH_REDIS_URL ?? process.env.SP_OAUTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const ROUNDS = 3
const SEQUENTIAL = 5_000
const CONCURRENT = 20_000
const IN_FLIGHT = 32

const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
await client.connect()
const keyPrefix = `sp-oauth-bench:${randomUUID()}:`
// A client authentication of a token request: the client's key and the address's, with the
// lock-out, as the HTTP surface sends them. Roomy limits: every call does the whole work.
const rule = { limit: 1_000_000, windowSeconds: 60 }
const lockout = { failureCost: 10, failuresBeforeLockout: 1000, lockoutSeconds: 15, maxLockoutSeconds: 900 }
const attempts = (i) => [
  { key: `token:client:client-${i % 100}`, rule, outcome: 'success', lockout },
  { key: `token:ip:198.51.100.${i % 250}`, rule, outcome: 'success', lockout },
]
const limiter = createRedisRateLimiter({
  client,
  keyPrefix,
  timeoutMs: 5000,
  onError: (error) => {
    throw error
  },
})
const consume = (i) =>
  limiter.consume(attempts(i)).then((decision) => {
    if (!decision.allowed) throw new Error('refused: the bench limits are too low')
  })
const ping = () => client.ping()

/** Operations per second, running `operation` `count` times with `inFlight` at once. */
async function rate(operation, count, inFlight) {
  let next = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await operation(next++)
    }),
  )
  return count / ((performance.now() - start) / 1000)
}

/** `calls` and `usec` of EVALSHA from INFO commandstats (server-wide: run the bench alone). */
async function evalshaStats() {
  const line = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(String(await client.info('commandstats')))
  return { calls: Number(line?.[1] ?? 0), usec: Number(line?.[2] ?? 0) }
}

/** Commands sent while `run` runs, counted where ioredis sends them. */
async function commandsSent(run) {
  const send = client.sendCommand
  let sent = 0
  client.sendCommand = function (...args) {
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

async function commandsPerConsume(count) {
  return (
    (await commandsSent(async () => {
      for (let i = 0; i < count; i++) await consume(i)
    })) / count
  )
}

/**
 * Commands per HTTP request through the OAuth routes with this limiter: token requests with the
 * right and a wrong secret, and malformed ones, each from its own address, under limits roomy
 * enough that none is refused.
 */
async function commandsPerHttpRequest(count) {
  const server = createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage: createMemoryStorage(),
    crypto: webCrypto({ keys: [{ id: 'k1', secret: 'redis-bench-hash-key-0123456789abcdef' }] }),
  })
  const http = createOAuthHttp(server, {
    rateLimit: {
      perClient: { token: rule },
      lockout: { ...lockout, failureCost: 1 },
    },
    rateLimiter: createRedisRateLimiter({ client, keyPrefix }),
    onError: () => {},
  })
  const { client: oauthClient, plaintextSecret } = await server.createClient({
    name: 'Bench',
    redirectUris: [],
    allowedGrants: ['client_credentials'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  })
  const kinds = {
    'right secret': `client_secret=${plaintextSecret}`,
    'wrong secret': 'client_secret=wrong',
    malformed: 'client_secret=a&client_secret=b',
  }
  const perKind = {}
  for (const [kind, credential] of Object.entries(kinds)) {
    const statuses = new Set()
    const sent = await commandsSent(async () => {
      for (let i = 0; i < count; i++) {
        const request = {
          method: 'POST',
          path: '/oauth/token',
          query: '',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new TextEncoder().encode(
            `grant_type=client_credentials&client_id=${oauthClient.id}&${credential}`,
          ),
          remoteAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        }
        const outcome = await http.handle(http.route('POST', '/oauth/token'), request, null)
        statuses.add(outcome.response.status)
      }
    })
    perKind[kind] = { commands: sent / count, statuses: [...statuses].join(',') }
  }
  return perKind
}

async function deleteBenchKeys() {
  let cursor = '0'
  do {
    const [nextCursor, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000)
    if (keys.length > 0) await client.del(...keys)
    cursor = nextCursor
  } while (cursor !== '0')
}

try {
  await rate(consume, 2_000, IN_FLIGHT)
  await rate(ping, 2_000, IN_FLIGHT)
  const rows = []
  for (const [label, count, inFlight] of [
    ['one at a time', SEQUENTIAL, 1],
    [`${IN_FLIGHT} in flight`, CONCURRENT, IN_FLIGHT],
  ]) {
    // Alternate the two so drift of the machine hits both alike; keep the best round of each.
    let best = { consume: 0, ping: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      best = {
        consume: Math.max(best.consume, await rate(consume, count, inFlight)),
        ping: Math.max(best.ping, await rate(ping, count, inFlight)),
      }
    }
    rows.push({ label, ...best })
  }
  const before = await evalshaStats()
  const perConsume = await commandsPerConsume(1_000)
  const after = await evalshaStats()
  const scriptUs = (after.usec - before.usec) / Math.max(1, after.calls - before.calls)
  const perRequest = await commandsPerHttpRequest(200)
  const version = /redis_version:(\S+)/.exec(String(await client.info('server')))?.[1] ?? '?'

  console.log(`Redis rate limiter bench: Redis ${version} at ${url}, Node ${process.version}`)
  console.log('each consume: a token request, 2 keys (client id and address) with the lock-out')
  console.log(`commands sent per consume: ${perConsume.toFixed(2)} (EVALSHA): one round trip`)
  for (const [kind, { commands, statuses }] of Object.entries(perRequest))
    console.log(`commands sent per token request, ${kind} (answered ${statuses}): ${commands.toFixed(2)}`)
  console.log(`Redis's own time per consume (the script, INFO commandstats): ${scriptUs.toFixed(1)} µs`)
  console.log('')
  console.log('                   consume/s    PING/s  consume ÷ PING  µs/consume  µs/PING')
  for (const { label, consume: c, ping: p } of rows) {
    const cells = [
      label.padEnd(16),
      Math.round(c).toString().padStart(12),
      Math.round(p).toString().padStart(10),
      (c / p).toFixed(2).padStart(16),
      (1e6 / c).toFixed(1).padStart(12),
      (1e6 / p).toFixed(1).padStart(9),
    ]
    console.log(cells.join(''))
  }
  console.log('')
  console.log("What a consume takes over a PING is the script's work in Redis and building its call in")
  console.log('Node, not a second round trip.')
} finally {
  await deleteBenchKeys()
  await client.quit()
}
