import { OAuthError } from '../errors/oauth-error.js'
import { approveAuthorizationRequest } from './approve-authorization-request.js'
import { hasConsent } from './has-consent.js'
import { issueConsentTicket } from './internal/consent-ticket.js'
import { readLoginMarker, withLoginMarker } from './internal/login-marker.js'
import type { ParameterInput } from './internal/parameters.js'
import type { ServerContext } from './internal/server-context.js'
import { epochSeconds } from './internal/time.js'
import { parseUrlEncoded } from './internal/url-encoded.js'
import { type UserReference, userIdOf } from './internal/user-id.js'
import { type AuthorizationRequest, validateAuthorizationRequest } from './validate-authorization-request.js'

/** The signed-in user of an interactive request, as the application reports it. */
export interface InteractionUser {
  readonly user: UserReference
  /**
   * Identifies the browser session (a session id), so a consent form works only in the session
   * it was shown in. Optional: without it the form is bound to the user alone.
   */
  readonly session?: string
  /**
   * When the user last proved who they are in this session (typed a password, passed a second
   * factor). `prompt=login` and `max_age` are satisfied only by a sign-in after the time the core
   * asked for it; without `authTime` they never are, and such a request always goes to login.
   */
  readonly authTime?: Date
}

/** How long a login round or a consent screen may take by default, in seconds. */
export const DEFAULT_INTERACTION_TTL_SECONDS = 600

/** What {@link beginAuthorization} takes. */
export interface BeginAuthorizationInput {
  /**
   * The authorization request: its raw query string exactly as sent (preferred: the login step
   * hands it back unchanged), or its parameters.
   */
  readonly parameters: string | ParameterInput
  /** Who is signed in, or `null`. */
  readonly signedIn: InteractionUser | null
  /**
   * How long the consent ticket is valid, and how long a sign-in asked for by `prompt=login` or
   * `max_age` may take, in seconds. Default {@link DEFAULT_INTERACTION_TTL_SECONDS}.
   */
  readonly ttlSeconds?: number
}

/** The next step of an authorization, as {@link beginAuthorization} decides it. */
export type AuthorizationStep =
  /**
   * Send the user to sign in, then back to the authorize route with `returnQuery` as its query
   * string. `reauthenticate`: someone is signed in, but the request needs a newer sign-in
   * (`prompt=login`, or `max_age` passed): ask for the password again even though a session exists.
   */
  | { readonly kind: 'login'; readonly returnQuery: string; readonly reauthenticate: boolean }
  /** Ask the user: show the consent screen, posting `ticket` back to {@link answerConsent}. */
  | {
      readonly kind: 'consent'
      readonly request: AuthorizationRequest
      /** Put in a hidden `ticket` field of the approve and deny forms; valid once. */
      readonly ticket: string
      /**
       * The redirect URI the answer goes to, exactly as requested (a loopback port included): show
       * it, so the user can tell where the authorization goes.
       */
      readonly redirectUri: string
      /**
       * A remembered consent covers the requested scopes, but the screen is shown anyway
       * (`prompt=consent`, or a client without `silentConsent`).
       */
      readonly remembered: boolean
    }
  /** Done: redirect the browser to `redirectUrl` (a code from a remembered consent). */
  | { readonly kind: 'redirect'; readonly redirectUrl: string }

/**
 * `GET /authorize`, framework-free: validates the request (errors before the client and redirect
 * URI are trusted are shown, later ones carry their redirect), then decides the next step:
 *
 * - nobody signed in: `login` (`prompt=none`: `login_required`);
 * - `prompt=login`, or `max_age` passed since `signedIn.authTime`: `login` with
 *   `reauthenticate`, and a `returnQuery` carrying a tamper-proof record of when the login was
 *   asked for; the request proceeds only once the application reports a sign-in after it;
 * - a remembered consent that covers the scopes, no `prompt=consent`, and a client that allows
 *   `silentConsent` (by default only confidential ones): `redirect` with a code;
 * - otherwise `consent` with a single-use ticket (`prompt=none`: `consent_required`).
 *
 * @throws OAuthError as {@link validateAuthorizationRequest}; `login_required`,
 *   `consent_required` or `invalid_request` (redirected) for `prompt=none`
 * @see RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1 (`prompt`, `max_age`), RFC 8252 §8.6
 */
export async function beginAuthorization(
  context: ServerContext,
  input: BeginAuthorizationInput,
): Promise<AuthorizationStep> {
  const ttlSeconds = input.ttlSeconds ?? DEFAULT_INTERACTION_TTL_SECONDS
  const query = queryOf(input.parameters)
  const { rest, loginAskedAt } = await readLoginMarker(context, query, ttlSeconds)
  const request = await validateAuthorizationRequest(context, parseUrlEncoded(rest, 'query'))
  const promptNone = request.prompt.includes('none')
  if (promptNone && request.prompt.length > 1) {
    throw redirected(request, 'invalid_request', 'prompt=none may not be combined with other values.')
  }
  const needsFreshLogin = request.prompt.includes('login') || request.maxAge !== null
  const { signedIn } = input
  if (signedIn === null) {
    if (promptNone) throw redirected(request, 'login_required', 'No user is signed in.')
    const returnQuery = needsFreshLogin ? await withLoginMarker(context, rest) : query
    return { kind: 'login', returnQuery, reauthenticate: false }
  }
  if (needsFreshLogin && !signedInRecently(context, request, signedIn, loginAskedAt)) {
    if (promptNone) throw redirected(request, 'login_required', 'The user must sign in again (max_age).')
    return { kind: 'login', returnQuery: await withLoginMarker(context, rest), reauthenticate: true }
  }
  const { user } = signedIn
  const remembered = await hasConsent(context, {
    user,
    clientId: request.client.id,
    scopes: request.scopes,
  })
  if (remembered && !request.prompt.includes('consent') && request.client.silentConsent) {
    const approval = await approveAuthorizationRequest(context, request, user)
    return { kind: 'redirect', redirectUrl: approval.redirectUrl }
  }
  if (promptNone) throw redirected(request, 'consent_required', 'The user has not consented to this request.')
  const holder = { userId: userIdOf(user), session: signedIn.session ?? '' }
  const ticket = await issueConsentTicket(context, rest, holder, ttlSeconds)
  return { kind: 'consent', request, ticket, redirectUri: request.redirectUri, remembered }
}

/**
 * Whether the sign-in the application reports is new enough: for `prompt=login`, after the login
 * the core asked for (the marker; to the millisecond, so a session from just before the request
 * never counts); for `max_age`, within `max_age` whole seconds of now, or after the asked-for
 * login (so `max_age=0` can be met).
 */
function signedInRecently(
  context: ServerContext,
  request: AuthorizationRequest,
  signedIn: InteractionUser,
  loginAskedAt: number | null,
): boolean {
  const { authTime } = signedIn
  if (!(authTime instanceof Date) || Number.isNaN(authTime.getTime())) return false
  const afterAsked = loginAskedAt !== null && authTime.getTime() > loginAskedAt
  if (request.prompt.includes('login') && !afterAsked) return false
  if (request.maxAge !== null) {
    const withinMaxAge = epochSeconds(context.clock.now()) - epochSeconds(authTime) <= request.maxAge
    if (!withinMaxAge && !afterAsked) return false
  }
  return true
}

/** The request's query string: as sent, or built from its parameters. */
function queryOf(parameters: string | ParameterInput): string {
  if (typeof parameters === 'string') return parameters.startsWith('?') ? parameters.slice(1) : parameters
  if (parameters instanceof URLSearchParams) return parameters.toString()
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) query.append(name, String(item))
    }
  }
  return query.toString()
}

function redirected(
  request: AuthorizationRequest,
  code: 'login_required' | 'consent_required' | 'invalid_request',
  description: string,
): OAuthError {
  return new OAuthError(code, {
    description,
    redirect: { redirectUri: request.redirectUri, state: request.state },
  })
}
