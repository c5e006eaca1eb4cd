import { OAuthError } from '../errors/oauth-error.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import { type UserReference, userIdOf } from '../use-cases/internal/user-id.js'
import type { AuthorizationRequest } from '../use-cases/validate-authorization-request.js'
import { issueConsentTicket, openConsentTicket, type TicketHolder } from './consent-ticket.js'
import { parseUrlEncoded, type RawParameters } from './form-encoding.js'
import { type HttpResponse, redirectResponse } from './http-message.js'
import type { OAuthPaths } from './oauth-paths.js'

/** The signed-in user of an interactive request, as the app's hook reports it. */
export interface InteractionUser {
  readonly user: UserReference
  /**
   * Identifies the browser session (a session id), so a consent form works only in the session
   * it was shown in. Optional: without it the form is bound to the user alone.
   */
  readonly session?: string
}

/** What the consent screen needs: the validated request, and the form it posts back. */
export interface ConsentPrompt {
  readonly request: AuthorizationRequest
  /** Put in a hidden `ticket` field of both forms; see {@link issueConsentTicket}. */
  readonly ticket: string
  /** Where the approve form posts (fields `ticket`, optional `remember` and `scope`). */
  readonly approvePath: string
  /** Where the deny form posts (field `ticket`). */
  readonly denyPath: string
}

/** An error to show the user, for an app that renders its own error page. */
export interface ShownProblem {
  readonly status: number
  /** The OAuth error code, e.g. `invalid_request`. */
  readonly error: string
  /** Safe text for the user or developer; never a secret. */
  readonly description: string | null
}

/** What an interactive route asks the adapter to do. */
export type InteractionOutcome =
  | { readonly kind: 'respond'; readonly response: HttpResponse }
  /**
   * An error that may not go back to the client (unknown client or redirect URI, a bad consent
   * form: RFC 6749 §4.1.2.1): the app shows it, or sends `response` as it is.
   */
  | { readonly kind: 'error'; readonly response: HttpResponse; readonly problem: ShownProblem }
  /**
   * Nobody is signed in, or `prompt=login` asks to sign in again: the app's login, and back to
   * `returnTo` afterwards (the authorize URL's path and query, without `login` in `prompt`, so the
   * user is not sent round again).
   */
  | { readonly kind: 'login'; readonly returnTo: string }
  /** Ask the user: the app renders its consent screen. */
  | { readonly kind: 'consent'; readonly prompt: ConsentPrompt }

const REMEMBER_VALUES = new Set(['1', 'true', 'on', 'yes'])

/**
 * `GET /authorize`: validates the request (errors before the client and redirect URI are trusted
 * are shown, later ones redirected); sends a signed-out user to log in (or answers
 * `login_required` to `prompt=none`); approves at once when a remembered consent covers the scopes
 * and `prompt=consent` was not sent; otherwise asks for consent (or answers `consent_required` to
 * `prompt=none`).
 */
export async function startAuthorization(
  server: AuthorizationServer,
  paths: OAuthPaths,
  query: string,
  signedIn: InteractionUser | null,
  ticketTtlSeconds: number,
): Promise<InteractionOutcome> {
  const parameters = parseUrlEncoded(query, 'query')
  const request = await server.validateAuthorizationRequest(parameters)
  const promptNone = request.prompt.includes('none')
  if (promptNone && request.prompt.length > 1) {
    throw redirected(request, 'invalid_request', 'prompt=none may not be combined with other values.')
  }
  if (signedIn === null || request.prompt.includes('login')) {
    if (promptNone) throw redirected(request, 'login_required', 'No user is signed in.')
    return { kind: 'login', returnTo: returnTo(paths, query, parameters, request) }
  }
  const { user } = signedIn
  const remembered =
    !request.prompt.includes('consent') &&
    (await server.hasConsent({ user, clientId: request.client.id, scopes: request.scopes }))
  if (remembered) {
    const approval = await server.approveAuthorizationRequest(request, user)
    return { kind: 'respond', response: redirectResponse(approval.redirectUrl) }
  }
  if (promptNone) throw redirected(request, 'consent_required', 'The user has not consented to this request.')
  const ticket = await issueConsentTicket(server.context, query, holderOf(signedIn), ticketTtlSeconds)
  return { kind: 'consent', prompt: { request, ticket, approvePath: paths.approve, denyPath: paths.deny } }
}

/**
 * `POST /authorize/approve` and `/authorize/deny`: the form must carry a ticket issued to this
 * user and session for an authorization request that still validates; then the user's answer
 * (with `remember` and a narrowed `scope` on approval) goes back to the client as a redirect.
 */
export async function answerConsent(
  server: AuthorizationServer,
  form: RawParameters,
  signedIn: InteractionUser | null,
  answer: 'approve' | 'deny',
): Promise<HttpResponse> {
  if (signedIn === null) {
    throw OAuthError.invalidRequest({ description: 'Nobody is signed in; start the authorization again.' })
  }
  const ticket = typeof form.ticket === 'string' ? form.ticket : undefined
  const query = await openConsentTicket(server.context, ticket, holderOf(signedIn))
  const request = await server.validateAuthorizationRequest(parseUrlEncoded(query, 'query'))
  if (answer === 'deny') {
    return redirectResponse((await server.denyAuthorizationRequest(request, signedIn.user)).redirectUrl)
  }
  const remember = typeof form.remember === 'string' && REMEMBER_VALUES.has(form.remember.toLowerCase())
  const scope = typeof form.scope === 'string' ? form.scope : undefined
  const approval = await server.approveAuthorizationRequest(request, signedIn.user, {
    remember,
    ...(scope === undefined ? {} : { scopes: scope.split(' ').filter(Boolean) }),
  })
  return redirectResponse(approval.redirectUrl)
}

/** Where login sends the user back: the same request, minus `login` in `prompt`. */
function returnTo(
  paths: OAuthPaths,
  query: string,
  parameters: RawParameters,
  request: AuthorizationRequest,
): string {
  if (!request.prompt.includes('login')) return `${paths.authorize}?${query}`
  const again = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters)) {
    if (name !== 'prompt') again.append(name, String(value))
  }
  const rest = request.prompt.filter((value) => value !== 'login')
  if (rest.length > 0) again.append('prompt', rest.join(' '))
  return `${paths.authorize}?${again.toString()}`
}

function holderOf(signedIn: InteractionUser): TicketHolder {
  return { userId: userIdOf(signedIn.user), session: signedIn.session ?? '' }
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
