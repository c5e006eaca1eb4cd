import type { EventPublisher } from '../ports/event-publisher.js'
import type { CountEvents } from './count-events.js'

/**
 * The event publisher the use cases get when telemetry is on: counts each batch, then hands it to
 * the application's publisher, if any. It is there even without one, so the use cases record
 * their events for the counters; the core calls it only after the change is committed.
 */
export function countingEventPublisher(
  countEvents: CountEvents,
  publisher: EventPublisher | null,
): EventPublisher {
  return {
    publish: async (events) => {
      countEvents(events)
      if (publisher) await publisher.publish(events)
    },
  }
}
