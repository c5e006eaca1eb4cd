// Shared set-up of the Redis tests (not exported): connections to the real server, and a key
// prefix of each test file's own so parallel runs never share a key.
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

/** The Redis server the tests use. */
export const REDIS_URL = process.env.SP_OAUTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A new connection to {@link REDIS_URL}, ready; fails with what to do when nothing answers there. */
export async function connectForTests(): Promise<Redis> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectionName: 'sp-oauth-redis-tests',
  })
  try {
    await client.connect()
  } catch (error) {
    client.disconnect()
    throw new Error(
      `These tests need a Redis server at ${REDIS_URL} (set SP_OAUTH_TEST_REDIS_URL), e.g. ` +
        '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379`; connecting failed: ' +
        String(error),
      { cause: error },
    )
  }
  return client
}

/** A key prefix no other run or file uses. */
export function testKeyPrefix(): string {
  return `sp-oauth-test:${randomUUID()}:`
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length > 0) await client.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

/** A loopback port nothing listens on (taken from the system, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** The `addr` (ip:port) Redis sees for `client`'s connection, from `CLIENT INFO`. */
export async function clientAddress(client: Redis): Promise<{ readonly id: string; readonly addr: string }> {
  const info = String(await client.client('INFO'))
  const field = (name: string): string => {
    const match = new RegExp(`(?:^| )${name}=(\\S+)`).exec(info)
    if (!match) throw new Error(`CLIENT INFO has no ${name}: ${info}`)
    return match[1]!
  }
  return { id: field('id'), addr: field('addr') }
}
