import { constantTimeEqual } from '../crypto/constant-time-equal.js'
import { OAuthError } from '../errors/oauth-error.js'
import type { ServerContext } from '../use-cases/internal/server-context.js'
import { epochSeconds } from '../use-cases/internal/time.js'

/** Who a consent ticket was issued to: the signed-in user, and the app's session if it names one. */
export interface TicketHolder {
  readonly userId: string
  /** Anything that identifies the browser session (a session id); `''` when the app gives none. */
  readonly session: string
}

/**
 * The consent screen's proof of what it asks: the authorization request's query string exactly as
 * validated, when the ticket expires, and an HMAC binding both to the user and session it was
 * shown to. Approve and deny accept only a ticket that verifies, so a forged cross-site form
 * (CSRF), a ticket taken to another user or session, or a changed client, redirect URI or scope
 * is refused. It is stateless: any instance with the same hash keys verifies it.
 */
export async function issueConsentTicket(
  context: ServerContext,
  query: string,
  holder: TicketHolder,
  ttlSeconds: number,
): Promise<string> {
  const expires = String(epochSeconds(context.clock.now()) + ttlSeconds)
  const keyId = context.hasher.currentKeyId
  const mac = await context.hasher.hashWithKey(signedText(query, expires, holder), keyId)
  return new URLSearchParams({ q: query, e: expires, k: keyId, m: mac }).toString()
}

/**
 * The authorization request's query string a ticket carries, once the ticket verifies for this
 * holder and has not expired.
 *
 * @throws OAuthError `invalid_request` (shown, never redirected: nothing in it can be trusted)
 */
export async function openConsentTicket(
  context: ServerContext,
  ticket: string | undefined,
  holder: TicketHolder,
): Promise<string> {
  const refused = OAuthError.invalidRequest({
    description: 'The consent form is invalid or has expired; start the authorization again.',
  })
  if (ticket === undefined) throw refused
  const fields = new URLSearchParams(ticket)
  const query = fields.get('q')
  const expires = fields.get('e')
  const keyId = fields.get('k')
  const mac = fields.get('m')
  if (query === null || expires === null || keyId === null || mac === null) throw refused
  if (!context.hasher.keyIds.includes(keyId) || !/^\d{1,12}$/.test(expires)) throw refused
  const expected = await context.hasher.hashWithKey(signedText(query, expires, holder), keyId)
  if (!constantTimeEqual(expected, mac)) throw refused
  if (Number(expires) <= epochSeconds(context.clock.now())) throw refused
  return query
}

/** Lengths first, so no two different field sets can produce the same text. */
function signedText(query: string, expires: string, holder: TicketHolder): string {
  const fields = ['sp-oauth consent ticket v1', expires, holder.userId, holder.session, query]
  return fields.map((field) => `${field.length}:${field}`).join('|')
}
