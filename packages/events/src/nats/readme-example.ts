// The example of the README's NATS section, type-checked by `pnpm typecheck` (never run, never
// exported). Keep the two in step.
import { createOutboxRelay, type EventOutboxReader, type OutboxRelay } from '@sp-oauth/core'
import type { NatsConnection } from 'nats'
import { createNatsJetStreamPublisher, decodeOAuthEvent, ensureNatsStream } from './index.js' // '@sp-oauth/events/nats' in the README

const STREAM = 'sp_oauth_events'

/** Delivers the outbox (e.g. `createMemoryStorage({ outbox: true }).outboxReader`) to JetStream. */
export async function startRelay(
  connection: NatsConnection,
  reader: EventOutboxReader,
): Promise<OutboxRelay> {
  // Every event subject, sp-oauth.events.<type>; duplicates dropped for 10 minutes.
  await ensureNatsStream(connection, {
    name: STREAM,
    subjects: ['sp-oauth.events.>'],
    duplicateWindowMs: 10 * 60_000,
  })
  const relay = createOutboxRelay({
    reader,
    publisher: createNatsJetStreamPublisher({ connection, stream: STREAM }),
    onError: (error) => console.error('outbox relay: will retry', error),
  })
  relay.start() // on shutdown: await relay.stop()
  return relay
}

/** Reads the stream from the start: every event once, typed again. */
export async function printEvents(connection: NatsConnection, count: number): Promise<void> {
  const consumer = await connection.jetstream().consumers.get(STREAM)
  for await (const message of await consumer.fetch({ max_messages: count, expires: 5000 })) {
    const event = decodeOAuthEvent(message.data)
    if (event.type === 'OAuthTokenIssued')
      console.info(`token for ${event.clientId}: ${event.scopes.join(' ')}`)
    else console.info(event.type, event.id)
  }
}
