import { OAuthError } from '../errors/oauth-error.js'
import type { TransactionalRepositories } from '../ports/unit-of-work.js'
import { approveWithin } from './approve-authorization-request.js'
import type { InteractionUser } from './begin-authorization.js'
import { denyWithin } from './deny-authorization-request.js'
import { type OpenedConsentTicket, openConsentTicket, ticketRefused } from './internal/consent-ticket.js'
import type { ServerContext } from './internal/server-context.js'
import { parseUrlEncoded } from './internal/url-encoded.js'
import { userIdOf } from './internal/user-id.js'
import { validateAuthorizationRequest } from './validate-authorization-request.js'

/** The user's answer on the consent screen, as {@link answerConsent} takes it. */
export interface ConsentAnswerInput {
  /** The `ticket` the consent step handed out, as posted back. */
  readonly ticket: string | undefined
  readonly answer: 'approve' | 'deny'
  /** Who is signed in now: must be the user (and session) the ticket was issued to. */
  readonly signedIn: InteractionUser | null
  /** On approval: remember this consent, so later requests within these scopes may skip the screen. */
  readonly remember?: boolean
  /** On approval: the scopes the user approved, the requested ones or fewer. Default: all requested. */
  readonly scopes?: readonly string[]
  /** On approval: claims to carry into the tokens. */
  readonly claims?: Readonly<Record<string, unknown>>
}

/**
 * `POST /authorize/approve` and `/authorize/deny`, framework-free: the ticket must verify for the
 * signed-in user and session, not be expired, and carry an authorization request that still
 * validates; it is consumed in the same unit of work as the approval (or denial), so a ticket is
 * answered at most once, even by concurrent posts. Returns where to redirect the browser: the
 * client's redirect URI with a code, or with `error=access_denied`.
 *
 * @throws OAuthError `invalid_request` (shown) for a missing, forged, expired or used ticket or
 *   nobody signed in; `invalid_scope` (redirected) for approved scopes beyond the requested ones
 * @see RFC 6749 §4.1.2, §10.12 (CSRF)
 */
export async function answerConsent(
  context: ServerContext,
  input: ConsentAnswerInput,
): Promise<{ readonly redirectUrl: string }> {
  const { signedIn } = input
  if (signedIn === null) {
    throw OAuthError.invalidRequest({ description: 'Nobody is signed in; start the authorization again.' })
  }
  const holder = { userId: userIdOf(signedIn.user), session: signedIn.session ?? '' }
  const opened = await openConsentTicket(context, input.ticket, holder)
  const request = await validateAuthorizationRequest(context, parseUrlEncoded(opened.query, 'query'))
  const consume = consumeTicket(context, opened)
  if (input.answer === 'deny') return denyWithin(context, request, signedIn.user, consume)
  const approval = await approveWithin(
    context,
    request,
    signedIn.user,
    {
      ...(input.remember === undefined ? {} : { remember: input.remember }),
      ...(input.scopes === undefined ? {} : { scopes: input.scopes }),
      ...(input.claims === undefined ? {} : { claims: input.claims }),
    },
    consume,
  )
  return { redirectUrl: approval.redirectUrl }
}

/** Consumes the ticket's nonce inside the answer's unit of work; a used one rolls it all back. */
function consumeTicket(
  context: ServerContext,
  opened: OpenedConsentTicket,
): (repositories: TransactionalRepositories) => Promise<void> {
  return async (repositories) => {
    const first = await repositories.consentTickets.consume(
      { nonceHash: opened.nonceHash, expiresAt: opened.expiresAt },
      context.clock.now(),
    )
    if (!first) throw ticketRefused()
  }
}
