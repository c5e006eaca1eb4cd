import type { OAuthEvent } from './events.js'

/**
 * The aggregate an event belongs to, for outboxes: entries of one aggregate are delivered in the
 * order they were stored. Every event is about one client (its codes, tokens, consents and
 * authentication failures belong to it), so the client is the aggregate: `client:<clientId>`, and
 * `client:unknown` for an event without one (a failed authentication of an unknown client, which
 * the core publishes in process only and never appends to an outbox), `client:all` for a user's
 * tokens revoked at every client. At most 135 characters (client ids have at most 128).
 *
 * Outbox implementations store this value with each entry when `append` is called.
 */
export function eventAggregateId(event: OAuthEvent): string {
  if (event.clientId !== null) return `client:${event.clientId}`
  return event.type === 'OAuthUserTokensRevoked' ? 'client:all' : 'client:unknown'
}
