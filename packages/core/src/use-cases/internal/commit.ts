import type { OAuthEvent } from '../../domain/events.js'
import { OAuthError } from '../../errors/oauth-error.js'
import type { IssuanceResult, IssuanceStatus } from '../../ports/atomic-issuance.js'
import type { TransactionalRepositories } from '../../ports/unit-of-work.js'
import type { ServerContext } from './server-context.js'

/** Distributes `Omit` over the event union, so each member keeps its own fields. */
type EventPayload<E> = E extends OAuthEvent ? Omit<E, 'id' | 'occurredAt'> : never

/** Collects the events a unit of work will report once it commits. */
export interface EventRecorder {
  record(event: EventPayload<OAuthEvent>): void
}

/**
 * Runs `work` in one unit of work and publishes the events it recorded only after the commit
 * (or writes them to the storage's outbox inside the transaction, when it has one). A rejection
 * rolls everything back and publishes nothing.
 */
export async function commit<T>(
  context: ServerContext,
  work: (repositories: TransactionalRepositories, events: EventRecorder) => Promise<T>,
): Promise<T> {
  let events: OAuthEvent[] = []
  let viaOutbox = false
  const result = await context.storage.unitOfWork.run(async (repositories) => {
    // A retried unit of work starts with no events of the failed attempt.
    events = []
    viaOutbox = repositories.outbox !== undefined
    // With nowhere to send events, recording them is skipped: it is work on every request.
    const recorder = viaOutbox || context.eventPublisher ? collectInto(context, events) : IGNORE_EVENTS
    const value = await work(repositories, recorder)
    if (repositories.outbox && events.length > 0) await repositories.outbox.append(events)
    return value
  })
  if (!viaOutbox) await publish(context, events)
  return result
}

/**
 * Runs one issuance through the issuance port (see `AtomicIssuance`), with the events it reports:
 * they are completed first and handed to the port, which may store them in the outbox with the
 * change; otherwise they are published once the issuance is `issued`, as `commit` publishes a
 * unit's. Resolves with how the issuance ended.
 */
export async function commitIssuance(
  context: ServerContext,
  record: (events: EventRecorder) => void,
  step: (events: readonly OAuthEvent[]) => Promise<IssuanceResult>,
): Promise<IssuanceStatus> {
  const events: OAuthEvent[] = []
  const wanted = context.issuance.eventsGoToOutbox || context.eventPublisher !== null
  record(wanted ? collectInto(context, events) : IGNORE_EVENTS)
  const result = await step(events)
  if (result.status === 'issued' && !result.eventsStored) await publish(context, events)
  return result.status
}

/**
 * Publishes events that report no change (a refused request) to the event publisher, in process
 * and at once: never to the outbox, never through a unit of work, so a refused request writes
 * nothing to the database. Without a publisher it does nothing.
 */
export async function publishWithoutCommit(
  context: ServerContext,
  record: (events: EventRecorder) => void,
): Promise<void> {
  if (!context.eventPublisher) return
  const events: OAuthEvent[] = []
  record(collectInto(context, events))
  await publish(context, events)
}

const IGNORE_EVENTS: EventRecorder = { record: () => {} }

function collectInto(context: ServerContext, events: OAuthEvent[]): EventRecorder {
  return {
    record: (payload) => {
      // The payload is a fresh literal at every call site: completing it in place avoids a copy.
      const event = payload as { id?: string; occurredAt?: Date }
      event.id = context.random.uuid()
      event.occurredAt = context.clock.now()
      events.push(payload as OAuthEvent)
    },
  }
}

async function publish(context: ServerContext, events: readonly OAuthEvent[]): Promise<void> {
  if (events.length === 0 || !context.eventPublisher) return
  try {
    await context.eventPublisher.publish(events)
  } catch (error) {
    // The change is committed: the request succeeded, whatever a listener did.
    try {
      context.onEventPublishFailed(error, events)
    } catch {
      // A failing failure handler must not turn a committed change into an error either.
    }
  }
}

/**
 * The client authenticated, but was revoked before its tokens were stored: answered as a failed
 * client authentication, which is what the same request a moment later gets.
 */
export function clientRevokedDuringIssuance(): OAuthError {
  return OAuthError.invalidClient({ description: 'Client authentication failed.' })
}
