// The outbox relay as docs/deploying.md schedules it: one per instance, polling in the background,
// delivering to the in-process event bus, whose one listener counts what arrives by type. The
// counts let the soak check that no event was lost: every token the clients received must come
// out of the outbox as one OAuthTokenIssued.
import { createOutboxRelay } from '@sp-oauth/core'
import { createEventBus } from '@sp-oauth/events'
import { createErrorLog } from './error-log.mjs'

/**
 * @param {import('@sp-oauth/postgres').PostgresStorage} storage a storage created with `outbox: true`
 */
export function startRelayJob(storage) {
  const reader = storage.outboxReader
  if (reader === undefined) throw new Error('the soak needs a storage created with { outbox: true }')
  const errors = createErrorLog()
  /** @type {Record<string, number>} */
  const delivered = {}
  const bus = createEventBus({ onListenerError: (error) => errors.add(error) })
  bus.subscribeAll((event) => {
    delivered[event.type] = (delivered[event.type] ?? 0) + 1
  })
  const relay = createOutboxRelay({ reader, publisher: bus, onError: (error) => errors.add(error) })
  relay.start()
  return {
    /** Stops polling, then delivers whatever the last requests left in the outbox. */
    async stop() {
      await relay.stop()
      const drainedAtStop = await relay.drain()
      return { delivered, drainedAtStop, errors: errors.summary() }
    },
  }
}
