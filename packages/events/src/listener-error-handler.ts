import type { OAuthEvent } from '@sp-oauth/core'

/** What a listener was doing when it failed. */
export interface ListenerErrorContext {
  /** The event the listener was given. */
  readonly event: OAuthEvent
  /** The listener's name: the `name` it subscribed with, or `listener #N`. */
  readonly listener: string
}

/**
 * Told about each listener that threw or rejected, once per failure. Runs while `publish` is in
 * flight, so keep it fast. Whatever it throws or rejects with is swallowed: a failing handler must
 * not turn into a failed publish.
 */
export type ListenerErrorHandler = (error: unknown, context: ListenerErrorContext) => void
