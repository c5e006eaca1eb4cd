import { randomUUID } from 'node:crypto'
import { ConfigurationError, type OAuthEvent } from '@sp-oauth/core'
import type { NatsConnection } from 'nats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureNatsStream } from './ensure-nats-stream.js'
import { createNatsJetStreamPublisher } from './nats-jetstream-publisher.js'
import {
  connectForTests,
  createTestConsumer,
  createTestStream,
  storedCount,
  type TestStream,
} from './nats-test-support.js'

function buildEvents(): OAuthEvent[] {
  return [
    {
      type: 'OAuthTokenIssued',
      id: randomUUID(),
      occurredAt: new Date('2026-01-02T03:04:05.678Z'),
      clientId: randomUUID(),
      userId: 'user "O\'Brien" \\ 🦊',
      grantType: 'client_credentials',
      scopes: ['invoices.read'],
      accessTokenId: randomUUID(),
      refreshTokenId: null,
      familyId: null,
    },
    { type: 'OAuthClientRevoked', id: randomUUID(), occurredAt: new Date(0), clientId: randomUUID() },
    {
      type: 'OAuthClientAuthenticationFailed',
      id: randomUUID(),
      occurredAt: new Date('2099-12-31T23:59:59.999Z'),
      clientId: null,
      reason: 'invalid_secret',
    },
  ]
}

describe('createNatsJetStreamPublisher (real NATS JetStream)', () => {
  let connection: NatsConnection
  let stream: TestStream

  beforeAll(async () => {
    connection = await connectForTests()
    stream = await createTestStream(connection)
  })

  afterAll(async () => {
    await stream?.remove()
    await connection?.close()
  })

  /** The stream's messages published by this test: reads all, keeps those of `events`. */
  async function storedOf(events: readonly OAuthEvent[]) {
    const count = await storedCount(connection, stream.name)
    const all = await (await createTestConsumer(connection, stream.name)).next(count)
    const ids = new Set(events.map((event) => event.id))
    return all.filter((stored) => ids.has(stored.event.id))
  }

  it('round trip: each event is stored under <prefix>.<type>, in order, with its id as message id, and decodes to an equal typed event', async () => {
    const publisher = createNatsJetStreamPublisher({ connection, subjectPrefix: stream.subjectPrefix })
    const events = buildEvents()
    await publisher.publish(events)
    const stored = await storedOf(events)
    expect(stored.map((message) => message.event)).toEqual(events)
    expect(stored.map((message) => message.subject)).toEqual(
      events.map((event) => `${stream.subjectPrefix}.${event.type}`),
    )
    expect(stored.map((message) => message.messageId)).toEqual(events.map((event) => event.id))
    expect(stored[0]!.event.occurredAt).toBeInstanceOf(Date)
  })

  it('dedup: the same event published twice (in two calls, and twice in one) is stored once', async () => {
    const publisher = createNatsJetStreamPublisher({ connection, subjectPrefix: stream.subjectPrefix })
    const [event, other] = buildEvents()
    const before = await storedCount(connection, stream.name)
    await publisher.publish([event!])
    await publisher.publish([event!, other!, event!])
    expect(await storedCount(connection, stream.name)).toBe(before + 2)
    expect((await storedOf([event!, other!])).map((message) => message.event)).toEqual([event, other])
  })

  it('publish rejects when no stream acknowledges the event (no stream captures its subject)', async () => {
    const publisher = createNatsJetStreamPublisher({
      connection,
      subjectPrefix: `sp-oauth-test.nobody-listens.${randomUUID()}`,
    })
    await expect(publisher.publish(buildEvents())).rejects.toThrow()
  })

  it('stream: publish rejects when the event would land in another stream than the one named', async () => {
    const events = buildEvents()
    const wrong = createNatsJetStreamPublisher({
      connection,
      subjectPrefix: stream.subjectPrefix,
      stream: `${stream.name}_other`,
    })
    await expect(wrong.publish(events)).rejects.toThrow()
    const right = createNatsJetStreamPublisher({
      connection,
      subjectPrefix: stream.subjectPrefix,
      stream: stream.name,
    })
    await right.publish(events)
    expect((await storedOf(events)).map((message) => message.event)).toEqual(events)
  })

  it('a failure stops the batch: the events after the one not acknowledged are not published', async () => {
    // A stream that takes token and authentication events but not client revocations.
    const narrow = `${stream.name}_narrow`
    const prefix = `${stream.subjectPrefix}-narrow`
    await ensureNatsStream(connection, {
      name: narrow,
      subjects: [`${prefix}.OAuthTokenIssued`, `${prefix}.OAuthClientAuthenticationFailed`],
    })
    try {
      const publisher = createNatsJetStreamPublisher({ connection, subjectPrefix: prefix })
      const [issued, revoked, failed] = buildEvents()
      await expect(publisher.publish([issued!, revoked!, failed!])).rejects.toThrow()
      expect(await storedCount(connection, narrow)).toBe(1)
      expect((await (await createTestConsumer(connection, narrow)).next(1))[0]!.event).toEqual(issued)
    } finally {
      await (await connection.jetstreamManager()).streams.delete(narrow)
    }
  })

  it('publish([]) publishes nothing', async () => {
    const publisher = createNatsJetStreamPublisher({ connection, subjectPrefix: stream.subjectPrefix })
    const before = await storedCount(connection, stream.name)
    await publisher.publish([])
    expect(await storedCount(connection, stream.name)).toBe(before)
  })

  it('refuses a subject prefix with wildcards, spaces or empty tokens, and a bad ack timeout', () => {
    for (const subjectPrefix of ['', 'a.*', 'a.>', 'a b', 'a..b', '.a', 'a.']) {
      expect(() => createNatsJetStreamPublisher({ connection, subjectPrefix })).toThrow(ConfigurationError)
    }
    expect(() => createNatsJetStreamPublisher({ connection, ackTimeoutMs: 0 })).toThrow(
      /ackTimeoutMs: must be a positive integer/,
    )
  })
})
