import type { OAuthEventOf, OAuthEventType } from '@sp-oauth/core'

/**
 * Receives one event. It may return a promise: the bus waits for it before `publish` resolves.
 * A throw or a rejection is isolated: it reaches the bus's `onListenerError`, never the publisher
 * or the other listeners.
 *
 * Without a type argument it receives every event (`OAuthEvent`), as with `subscribeAll`.
 */
export type EventListener<T extends OAuthEventType = OAuthEventType> = (
  event: OAuthEventOf<T>,
) => void | Promise<void>

/** Options of `subscribe` and `subscribeAll`. */
export interface SubscribeOptions {
  /**
   * How failures of this listener are reported, e.g. `audit-log`. Default `listener #N`, where N
   * counts the bus's subscriptions from 1.
   */
  readonly name?: string
}
