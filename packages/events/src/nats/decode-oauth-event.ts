import { OAUTH_EVENT_TYPES, type OAuthEvent, type OAuthEventType } from '@sp-oauth/core'

const TEXT = new TextDecoder('utf-8', { fatal: true })
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

/**
 * An event as `createNatsJetStreamPublisher` sent it, back as the core's typed `OAuthEvent`: JSON,
 * with `occurredAt` (an ISO 8601 string on the wire) a `Date` again. Narrow it with `event.type`.
 *
 * Checks the envelope (`type` one of `OAUTH_EVENT_TYPES`, `id` a non-empty string, `occurredAt` an
 * ISO 8601 UTC instant) and trusts the other fields to be what the core publishes for that type.
 *
 * @param data a message's payload (`msg.data`), or its text.
 * @throws TypeError when `data` is not UTF-8 JSON with that envelope; the message quotes no payload.
 */
export function decodeOAuthEvent(data: Uint8Array | string): OAuthEvent {
  let parsed: unknown
  try {
    parsed = JSON.parse(typeof data === 'string' ? data : TEXT.decode(data))
  } catch (error) {
    throw new TypeError('Not an sp-oauth event: the payload is not UTF-8 JSON', { cause: error })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError('Not an sp-oauth event: the payload is not a JSON object')
  }
  const { type, id, occurredAt } = parsed as Record<string, unknown>
  if (typeof type !== 'string' || !OAUTH_EVENT_TYPES.includes(type as OAuthEventType)) {
    throw new TypeError('Not an sp-oauth event: `type` is not one of OAUTH_EVENT_TYPES')
  }
  if (typeof id !== 'string' || id === '') {
    throw new TypeError(`Not an sp-oauth event: ${type} has no \`id\``)
  }
  const instant = typeof occurredAt === 'string' && ISO_INSTANT.test(occurredAt) ? new Date(occurredAt) : null
  if (instant === null || Number.isNaN(instant.getTime())) {
    throw new TypeError(`Not an sp-oauth event: ${type} ${id} has no ISO 8601 \`occurredAt\``)
  }
  return { ...(parsed as object), occurredAt: instant } as OAuthEvent
}

/** The JSON of an event, as {@link decodeOAuthEvent} reads it: dates as ISO 8601 strings. */
export function encodeOAuthEvent(event: OAuthEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event))
}
