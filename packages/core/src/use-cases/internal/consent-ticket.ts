import { constantTimeEqual } from '../../crypto/constant-time-equal.js'
import { base64UrlEncode } from '../../domain/pkce.js'
import { OAuthError } from '../../errors/oauth-error.js'
import type { ServerContext } from './server-context.js'
import { epochSeconds } from './time.js'

/** Who a consent ticket was issued to: the signed-in user, and the app's session if it names one. */
export interface TicketHolder {
  readonly userId: string
  /** Anything that identifies the browser session (a session id); `''` when the app gives none. */
  readonly session: string
}

/** What an opened ticket carries. */
export interface OpenedConsentTicket {
  /** The authorization request's query string, exactly as validated when the screen was shown. */
  readonly query: string
  /** The hash of the ticket's nonce, consumed once with the answer (`ConsentTicketRepository`). */
  readonly nonceHash: string
  readonly expiresAt: Date
}

const NONCE = /^[A-Za-z0-9_-]{43}$/

/**
 * The consent screen's proof of what it asks: the authorization request's query string exactly as
 * validated, a random nonce, when the ticket expires, and an HMAC binding them to the user and
 * session it was shown to. Approve and deny accept only a ticket that verifies, so a forged
 * cross-site form (CSRF), a ticket taken to another user or session, or a changed client,
 * redirect URI or scope is refused. Any instance with the same hash keys verifies it; the nonce
 * makes it single-use (the answer consumes it in the same unit of work as the approval).
 */
export async function issueConsentTicket(
  context: ServerContext,
  query: string,
  holder: TicketHolder,
  ttlSeconds: number,
): Promise<string> {
  const expires = String(epochSeconds(context.clock.now()) + ttlSeconds)
  const nonce = base64UrlEncode(context.random.bytes(32))
  const keyId = context.hasher.currentKeyId
  const mac = await context.hasher.hashWithKey(signedText(query, expires, nonce, holder), keyId)
  return new URLSearchParams({ q: query, e: expires, n: nonce, k: keyId, m: mac }).toString()
}

/**
 * What a ticket carries, once it verifies for this holder and has not expired. Whether it was
 * used before is the storage's to say, when the answer is committed.
 *
 * @throws OAuthError `invalid_request` (shown, never redirected: nothing in it can be trusted)
 */
export async function openConsentTicket(
  context: ServerContext,
  ticket: string | undefined,
  holder: TicketHolder,
): Promise<OpenedConsentTicket> {
  if (ticket === undefined) throw ticketRefused()
  const fields = new URLSearchParams(ticket)
  const query = fields.get('q')
  const expires = fields.get('e')
  const nonce = fields.get('n')
  const keyId = fields.get('k')
  const mac = fields.get('m')
  if (query === null || expires === null || nonce === null || keyId === null || mac === null) {
    throw ticketRefused()
  }
  if (!context.hasher.keyIds.includes(keyId) || !/^\d{1,12}$/.test(expires) || !NONCE.test(nonce)) {
    throw ticketRefused()
  }
  const expected = await context.hasher.hashWithKey(signedText(query, expires, nonce, holder), keyId)
  if (!constantTimeEqual(expected, mac)) throw ticketRefused()
  if (Number(expires) <= epochSeconds(context.clock.now())) throw ticketRefused()
  return {
    query,
    nonceHash: await context.sha256.base64Url(nonce),
    expiresAt: new Date(Number(expires) * 1000),
  }
}

/** The refusal of a ticket that is missing, forged, expired or already used. */
export function ticketRefused(): OAuthError {
  return OAuthError.invalidRequest({
    description:
      'The consent form is invalid, has expired or was already answered; start the authorization again.',
  })
}

/** Lengths first, so no two different field sets can produce the same text. */
function signedText(query: string, expires: string, nonce: string, holder: TicketHolder): string {
  const fields = ['sp-oauth consent ticket v2', expires, nonce, holder.userId, holder.session, query]
  return fields.map((field) => `${field.length}:${field}`).join('|')
}
