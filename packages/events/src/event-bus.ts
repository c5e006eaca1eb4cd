import { type EventPublisher, OAUTH_EVENT_TYPES, type OAuthEvent, type OAuthEventType } from '@sp-oauth/core'
import type { EventListener, SubscribeOptions } from './event-listener.js'
import type { ListenerErrorHandler } from './listener-error-handler.js'
import { logListenerError } from './log-listener-error.js'

/** Options of {@link createEventBus}. */
export interface EventBusOptions {
  /**
   * Told about every listener that throws or rejects, with the event and the listener's name.
   * Default: one line on `console.error` with the event type, event id, listener name and
   * `String(error)` cut to 200 characters; never the event's other fields. Whatever the handler
   * throws is swallowed.
   */
  readonly onListenerError?: ListenerErrorHandler
}

/**
 * An in-process, typed event bus. As the core's `EventPublisher` it delivers each published event
 * to the listeners subscribed to its type and to every `subscribeAll` listener.
 */
export interface EventBus extends EventPublisher {
  /**
   * Delivers the events in order. For each event, the listeners subscribed at the moment its
   * delivery starts are all called, in the order they subscribed, without waiting for one another;
   * the next event starts only once every one of them has settled. Resolves when the last event's
   * listeners have settled.
   *
   * Never rejects because of a listener: one that throws or rejects is reported to
   * `onListenerError` and the others still run. Unsubscribing while an event is in flight does not
   * take a listener off that event, only off later ones.
   *
   * @throws TypeError (as a rejection) when `events` is not an array of events
   */
  publish(events: readonly OAuthEvent[]): Promise<void>
  /**
   * Calls `listener` with every event of `type`. Subscribing the same function twice gives two
   * subscriptions: it is then called twice per event, and each unsubscribe removes one.
   *
   * @returns an unsubscribe function; calling it again does nothing
   * @throws TypeError when `type` is not one of `OAUTH_EVENT_TYPES`, or `listener` is not a function
   */
  subscribe<T extends OAuthEventType>(
    type: T,
    listener: EventListener<T>,
    options?: SubscribeOptions,
  ): () => void
  /**
   * Calls `listener` with every event, whatever its type.
   *
   * @returns an unsubscribe function; calling it again does nothing
   * @throws TypeError when `listener` is not a function
   */
  subscribeAll(listener: EventListener, options?: SubscribeOptions): () => void
  /**
   * Without `type`, the number of subscriptions. With `type`, the number of listeners an event of
   * that type would reach now: those subscribed to it plus every `subscribeAll` listener.
   *
   * @throws TypeError when `type` is given and is not one of `OAUTH_EVENT_TYPES`
   */
  listenerCount(type?: OAuthEventType): number
}

interface Subscription {
  /** Subscription order across `subscribe` and `subscribeAll`: calls follow it. */
  readonly order: number
  readonly name: string
  readonly listener: EventListener
}

const NONE: readonly Subscription[] = []

/**
 * Creates an empty event bus. Pass it to `createAuthorizationServer({ eventPublisher })`; the core
 * publishes only after the change an event reports is committed.
 *
 * Listeners run in this process, while `publish` is awaited: the request that caused the events
 * waits for them. Hand slow work (webhooks, e-mail) to a queue from the listener rather than doing
 * it inline.
 */
export function createEventBus(options: EventBusOptions = {}): EventBus {
  const onListenerError = options.onListenerError ?? logListenerError
  // Copy on write: (un)subscribing replaces these arrays, so the arrays an event in flight was
  // given stay as they were.
  const byType = new Map<OAuthEventType, readonly Subscription[]>()
  let forAll: readonly Subscription[] = NONE
  let subscriptions = 0

  function add(
    type: OAuthEventType | null,
    listener: unknown,
    subscribeOptions?: SubscribeOptions,
  ): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(`An event listener must be a function, got ${typeof listener}`)
    }
    subscriptions += 1
    const subscription: Subscription = {
      order: subscriptions,
      name: subscribeOptions?.name ?? `listener #${subscriptions}`,
      listener: listener as EventListener,
    }
    if (type === null) forAll = [...forAll, subscription]
    else byType.set(type, [...(byType.get(type) ?? NONE), subscription])
    // Removing by identity makes a second call a no-op and leaves other subscriptions of the same
    // function in place.
    return () => {
      if (type === null) {
        forAll = forAll.filter((other) => other !== subscription)
        return
      }
      const rest = (byType.get(type) ?? NONE).filter((other) => other !== subscription)
      if (rest.length === 0) byType.delete(type)
      else byType.set(type, rest)
    }
  }

  function report(error: unknown, event: OAuthEvent, listener: string): void {
    try {
      const result: unknown = onListenerError(error, { event, listener })
      // An async handler that rejects would otherwise be an unhandled rejection.
      if (isThenable(result)) result.then(undefined, ignore)
    } catch {
      // The handler failing must not fail the publish nor the other listeners.
    }
  }

  function deliver(subscription: Subscription, event: OAuthEvent): Promise<void> {
    try {
      return Promise.resolve(subscription.listener(event)).then(ignore, (error: unknown) =>
        report(error, event, subscription.name),
      )
    } catch (error) {
      report(error, event, subscription.name)
      return Promise.resolve()
    }
  }

  return Object.freeze({
    async publish(events: readonly OAuthEvent[]): Promise<void> {
      for (const event of events) {
        const chosen = inOrder(byType.get(event.type) ?? NONE, forAll)
        if (chosen.length === 0) continue
        // `deliver` never rejects, so this waits for every listener to settle.
        await Promise.all(chosen.map((subscription) => deliver(subscription, event)))
      }
    },
    subscribe<T extends OAuthEventType>(
      type: T,
      listener: EventListener<T>,
      subscribeOptions?: SubscribeOptions,
    ): () => void {
      assertEventType(type)
      return add(type, listener, subscribeOptions)
    },
    subscribeAll(listener: EventListener, subscribeOptions?: SubscribeOptions): () => void {
      return add(null, listener, subscribeOptions)
    },
    listenerCount(type?: OAuthEventType): number {
      if (type === undefined) {
        let count = forAll.length
        for (const list of byType.values()) count += list.length
        return count
      }
      assertEventType(type)
      return (byType.get(type)?.length ?? 0) + forAll.length
    },
  })
}

/** Checks at run time what the types promise, so a JavaScript caller's typo fails at once. */
function assertEventType(type: unknown): asserts type is OAuthEventType {
  if (typeof type === 'string' && (OAUTH_EVENT_TYPES as readonly string[]).includes(type)) return
  const shown = typeof type === 'string' ? `"${type}"` : `a value of type ${typeof type}`
  throw new TypeError(`Unknown OAuth event type ${shown}; expected one of ${OAUTH_EVENT_TYPES.join(', ')}`)
}

/** Merges two lists already sorted by subscription order. */
function inOrder(typed: readonly Subscription[], all: readonly Subscription[]): readonly Subscription[] {
  if (typed.length === 0) return all
  if (all.length === 0) return typed
  const merged: Subscription[] = []
  let i = 0
  let j = 0
  while (i < typed.length && j < all.length) {
    const a = typed[i]!
    const b = all[j]!
    if (a.order < b.order) {
      merged.push(a)
      i += 1
    } else {
      merged.push(b)
      j += 1
    }
  }
  while (i < typed.length) merged.push(typed[i++]!)
  while (j < all.length) merged.push(all[j++]!)
  return merged
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  )
}

function ignore(): void {}
