import type { Storage } from '../config/options.js'
import type { EventPublisher } from '../ports/event-publisher.js'
import type { Telemetry } from '../ports/telemetry.js'
import { createEventCounter } from './count-events.js'
import { countingEventPublisher } from './counting-event-publisher.js'
import { instrumentStorage } from './instrument-storage.js'

/** The storage and event publisher the use cases get. */
export interface InstrumentedPorts {
  readonly storage: Storage
  readonly eventPublisher: EventPublisher | null
}

/**
 * The ports as the use cases get them: with telemetry, the storage traced and the events counted
 * wherever they go (published, or written to the storage's outbox); without, exactly the ones given.
 */
export function instrumentPorts(
  telemetry: Telemetry | undefined,
  ports: { readonly storage: Storage; readonly eventPublisher?: EventPublisher | undefined },
): InstrumentedPorts {
  if (!telemetry) return { storage: ports.storage, eventPublisher: ports.eventPublisher ?? null }
  const countEvents = createEventCounter(telemetry)
  return {
    storage: instrumentStorage(ports.storage, telemetry, countEvents),
    eventPublisher: countingEventPublisher(countEvents, ports.eventPublisher ?? null),
  }
}
