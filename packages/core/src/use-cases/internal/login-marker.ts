import { constantTimeEqual } from '../../crypto/constant-time-equal.js'
import type { ServerContext } from './server-context.js'

/**
 * The parameter the core adds to the authorize URL it sends the login hook back to, when the
 * request needs a sign-in newer than itself (`prompt=login`, or `max_age` passed): the instant
 * the login was asked for, HMAC'd together with the rest of the query, so it cannot be moved to
 * another request, set back, or made up.
 */
export const LOGIN_MARKER = 'sp_oauth_login'

/** A query string split into its login marker (if one verifies) and everything else. */
export interface MarkedQuery {
  /** The query string without any login marker, otherwise exactly as given. */
  readonly rest: string
  /** When login was asked for (milliseconds since the epoch), or `null` without a valid, recent marker. */
  readonly loginAskedAt: number | null
}

/**
 * Takes the login marker out of `query` and checks it: its MAC must verify over the rest of the
 * query under a configured hash key, and it must be at most `ttlSeconds` old (an old marker would
 * let any sign-in since then count as fresh).
 */
export async function readLoginMarker(
  context: ServerContext,
  query: string,
  ttlSeconds: number,
): Promise<MarkedQuery> {
  const pairs = query.split('&')
  const prefix = `${LOGIN_MARKER}=`
  const markers = pairs.filter((pair) => pair.startsWith(prefix))
  if (markers.length === 0) return { rest: query, loginAskedAt: null }
  const rest = pairs.filter((pair) => !pair.startsWith(prefix) && pair !== LOGIN_MARKER).join('&')
  if (markers.length !== 1) return { rest, loginAskedAt: null }
  let value: string
  try {
    value = decodeURIComponent(markers[0]!.slice(prefix.length))
  } catch {
    return { rest, loginAskedAt: null }
  }
  const first = value.indexOf('~')
  const last = value.lastIndexOf('~')
  if (first <= 0 || last === first) return { rest, loginAskedAt: null }
  const millis = value.slice(0, first)
  const keyId = value.slice(first + 1, last)
  const mac = value.slice(last + 1)
  if (!/^\d{1,15}$/.test(millis) || !context.hasher.keyIds.includes(keyId)) {
    return { rest, loginAskedAt: null }
  }
  const expected = await context.hasher.hashWithKey(signedText(millis, rest), keyId)
  if (!constantTimeEqual(expected, mac)) return { rest, loginAskedAt: null }
  const askedAt = Number(millis)
  const now = context.clock.now().getTime()
  if (askedAt > now || now - askedAt > ttlSeconds * 1000) return { rest, loginAskedAt: null }
  return { rest, loginAskedAt: askedAt }
}

/** `rest` with a login marker for now appended: the query the login hook sends the user back with. */
export async function withLoginMarker(context: ServerContext, rest: string): Promise<string> {
  const millis = String(context.clock.now().getTime())
  const keyId = context.hasher.currentKeyId
  const mac = await context.hasher.hashWithKey(signedText(millis, rest), keyId)
  const marker = `${LOGIN_MARKER}=${encodeURIComponent(`${millis}~${keyId}~${mac}`)}`
  return rest === '' ? marker : `${rest}&${marker}`
}

/** Lengths first, so no two different field sets can produce the same text. */
function signedText(millis: string, rest: string): string {
  return ['sp-oauth login v1', millis, rest].map((field) => `${field.length}:${field}`).join('|')
}
