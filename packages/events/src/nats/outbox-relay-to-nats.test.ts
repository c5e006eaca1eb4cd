// End to end: the core on in-memory storage with an outbox, a relay, NATS JetStream, a consumer.
import {
  type AuthorizationServer,
  createAuthorizationServer,
  createOutboxRelay,
  type EventOutboxReader,
  type OAuthEvent,
  webCrypto,
} from '@sp-oauth/core'
import { createMemoryStorage, type MemoryStorageWithOutbox } from '@sp-oauth/core/memory'
import type { NatsConnection } from 'nats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNatsJetStreamPublisher } from './nats-jetstream-publisher.js'
import {
  connectForTests,
  createTestConsumer,
  createTestStream,
  storedCount,
  type TestStream,
} from './nats-test-support.js'

function createServer(storage: MemoryStorageWithOutbox): AuthorizationServer {
  return createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    crypto: webCrypto({ keys: [{ id: 'k1', secret: 'test-hash-key-0123456789abcdef0123456789' }] }),
  })
}

/** Registers a client_credentials client and gets it a token: two events in the outbox. */
async function clientCredentialsFlow(server: AuthorizationServer): Promise<string> {
  const { client, plaintextSecret } = await server.createClient({
    name: 'Billing worker',
    redirectUris: [],
    allowedGrants: ['client_credentials'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  })
  await server.issueTokenFromRequest({
    body: {
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: plaintextSecret!,
      scope: 'invoices.read',
    },
  })
  return client.id
}

/** The outbox reader of a relay that dies after `deliver` resolved and before the entries are marked. */
function crashingAfterDelivery(reader: EventOutboxReader): EventOutboxReader {
  return {
    relayBatch: (limit, now, deliver) =>
      reader.relayBatch(limit, now, async (entries) => {
        await deliver(entries)
        throw new Error('relay process killed before marking the batch delivered')
      }),
  }
}

function summary(events: readonly OAuthEvent[]): string[] {
  return events.map((event) => `${event.type} ${event.id}`)
}

describe('outbox → relay → NATS JetStream → consumer (real NATS)', () => {
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

  it('a consumer receives the events of a client_credentials flow in order, exactly once; a relay crash between delivery and marking redelivers, and JetStream drops the duplicates', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const server = createServer(storage)
    const publisher = createNatsJetStreamPublisher({
      connection,
      subjectPrefix: stream.subjectPrefix,
      stream: stream.name,
    })
    const consumer = await createTestConsumer(connection, stream.name)
    const backgroundErrors: unknown[] = []
    const onError = (error: unknown) => backgroundErrors.push(error)

    // The flow commits its events to the outbox; nothing is published by the request itself.
    const clientId = await clientCredentialsFlow(server)
    const first = [...storage.outboxEvents]
    expect(first.map((event) => event.type)).toEqual(['OAuthClientCreated', 'OAuthTokenIssued'])
    expect(await storedCount(connection, stream.name)).toBe(0)

    const relay = createOutboxRelay({ reader: storage.outboxReader, publisher, onError })
    expect(await relay.drain()).toBe(2)
    const received = await consumer.next(2)
    expect(summary(received.map((message) => message.event))).toEqual(summary(first))
    expect(received.map((message) => message.event)).toEqual(first)
    expect(received.map((message) => message.subject)).toEqual([
      `${stream.subjectPrefix}.OAuthClientCreated`,
      `${stream.subjectPrefix}.OAuthTokenIssued`,
    ])

    // More changes; the relay publishes them, then dies before marking them delivered.
    await server.revokeClient(clientId)
    await clientCredentialsFlow(server)
    const second = storage.outboxEvents.slice(2)
    expect(second.map((event) => event.type)).toEqual([
      'OAuthClientRevoked',
      'OAuthClientCreated',
      'OAuthTokenIssued',
    ])
    const doomed = createOutboxRelay({
      reader: crashingAfterDelivery(storage.outboxReader),
      publisher,
      batchSize: 2,
      onError,
    })
    await expect(doomed.drain()).rejects.toThrow('relay process killed')
    expect(await storedCount(connection, stream.name)).toBe(4)

    // A new relay on the same storage delivers the unmarked batch again, then the rest.
    const restarted = createOutboxRelay({ reader: storage.outboxReader, publisher, batchSize: 2, onError })
    expect(await restarted.drain()).toBe(3)
    expect(await restarted.drain()).toBe(0)

    // JetStream kept each event once, in the order of the outbox.
    expect(await storedCount(connection, stream.name)).toBe(5)
    const rest = await consumer.next(3)
    expect(rest.map((message) => message.event)).toEqual(second)
    const all = [...received, ...rest]
    expect(new Set(all.map((message) => message.event.id)).size).toBe(5)
    expect(all.map((message) => message.messageId)).toEqual(all.map((message) => message.event.id))
    expect(backgroundErrors).toEqual([])
  })
})
