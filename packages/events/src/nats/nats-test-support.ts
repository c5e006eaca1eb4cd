// Shared set-up of the NATS tests (not exported): a connection to the real server, a stream of
// their own per test file, and reading back what the stream stored.
import { randomUUID } from 'node:crypto'
import type { OAuthEvent } from '@sp-oauth/core'
import { connect, type NatsConnection } from 'nats'
import { decodeOAuthEvent } from './decode-oauth-event.js'
import { ensureNatsStream } from './ensure-nats-stream.js'

/** The NATS server with JetStream the tests use. */
export const NATS_URL = process.env.SP_OAUTH_TEST_NATS_URL ?? 'nats://127.0.0.1:4222'

/** Connects to {@link NATS_URL}; fails with what to do when nothing answers there. */
export async function connectForTests(): Promise<NatsConnection> {
  let connection: NatsConnection
  try {
    connection = await connect({ servers: NATS_URL, timeout: 5000, name: 'sp-oauth-events-tests' })
  } catch (error) {
    throw new Error(
      `These tests need a NATS server with JetStream at ${NATS_URL} (set SP_OAUTH_TEST_NATS_URL), ` +
        `e.g. \`nats-server -js\`; connecting failed: ${String(error)}`,
      { cause: error },
    )
  }
  try {
    await (await connection.jetstreamManager()).getAccountInfo()
  } catch (error) {
    await connection.close()
    throw new Error(
      `The NATS server at ${NATS_URL} has no JetStream: start it with \`-js\`. ${String(error)}`,
      { cause: error },
    )
  }
  return connection
}

/** A stream of this test file's own: a random name, and subjects no other stream takes. */
export interface TestStream {
  readonly name: string
  /** The subject prefix of this stream: `sp-oauth-test.<random>`. */
  readonly subjectPrefix: string
  /** Deletes the stream. */
  remove(): Promise<void>
}

export async function createTestStream(connection: NatsConnection): Promise<TestStream> {
  const random = randomUUID().replaceAll('-', '')
  const name = `sp_oauth_test_${random}`
  const subjectPrefix = `sp-oauth-test.${random}`
  await ensureNatsStream(connection, { name, subjects: [`${subjectPrefix}.>`], duplicateWindowMs: 60_000 })
  return {
    name,
    subjectPrefix,
    remove: async () => {
      await (await connection.jetstreamManager()).streams.delete(name)
    },
  }
}

/** One message as the stream stored it. */
export interface StoredEvent {
  readonly subject: string
  /** The `Nats-Msg-Id` header. */
  readonly messageId: string | undefined
  readonly event: OAuthEvent
}

/** How many messages the stream holds now. */
export async function storedCount(connection: NatsConnection, stream: string): Promise<number> {
  return (await (await connection.jetstreamManager()).streams.info(stream)).state.messages
}

/**
 * A consumer of the stream from its first message, reading what is stored: `next(count)` resolves
 * with the next `count` messages, in stream order, after fetching with a bounded wait.
 */
export async function createTestConsumer(
  connection: NatsConnection,
  stream: string,
): Promise<{ next(count: number): Promise<StoredEvent[]> }> {
  // An ordered consumer: ephemeral, in stream order, one message at a time.
  const consumer = await connection.jetstream().consumers.get(stream)
  return {
    next: async (count) => {
      const received: StoredEvent[] = []
      for (let attempt = 0; attempt < 10 && received.length < count; attempt++) {
        const messages = await consumer.fetch({ max_messages: count - received.length, expires: 2000 })
        for await (const message of messages) {
          received.push({
            subject: message.subject,
            messageId: message.headers?.get('Nats-Msg-Id'),
            event: decodeOAuthEvent(message.data),
          })
        }
      }
      if (received.length < count) {
        throw new Error(`expected ${count} messages from ${stream}, received ${received.length}`)
      }
      return received
    },
  }
}
