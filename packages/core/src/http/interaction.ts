import type { AuthorizationServer } from '../server/create-authorization-server.js'
import type { InteractionUser } from '../use-cases/begin-authorization.js'
import type { AuthorizationRequest } from '../use-cases/validate-authorization-request.js'
import type { RawParameters } from './form-encoding.js'
import { type HttpResponse, redirectResponse } from './http-message.js'
import type { OAuthPaths } from './oauth-paths.js'

export type { InteractionUser }

/** What the consent screen needs: the validated request, and the form it posts back. */
export interface ConsentPrompt {
  readonly request: AuthorizationRequest
  /** Put in a hidden `ticket` field of both forms. Valid once: approve or deny consumes it. */
  readonly ticket: string
  /** Where the approve form posts (fields `ticket`, optional `remember` and `scope`). */
  readonly approvePath: string
  /** Where the deny form posts (field `ticket`). */
  readonly denyPath: string
  /**
   * The redirect URI the answer goes to, exactly as requested (a loopback port included): show it,
   * so the user can tell which application on which address asks.
   */
  readonly redirectUri: string
  /**
   * A remembered consent covers the requested scopes, yet the screen is shown: `prompt=consent`,
   * or a client that may not skip it (a public client, unless the operator set `silentConsent`).
   */
  readonly remembered: boolean
}

/** What the login hook is told besides where to send the user back. */
export interface LoginRequest {
  /**
   * Someone is signed in, but the request needs a newer sign-in (`prompt=login`, or `max_age`
   * passed): ask for the credentials again even though a session exists, and report the new
   * sign-in's time as `authTime`. Until then the request keeps coming back to the login hook.
   */
  readonly reauthenticate: boolean
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
   * Nobody is signed in, or the request needs a newer sign-in: the app's login, and back to
   * `returnTo` afterwards (the authorize path and query: the query exactly as sent, or, when
   * `reauthenticate`, with a signed record of when the login was asked for appended).
   * `reauthenticate`: someone is signed in, but `prompt=login` or `max_age` asks for a sign-in
   * newer than the request: ask for the credentials again, and report the new `authTime`.
   */
  | { readonly kind: 'login'; readonly returnTo: string; readonly reauthenticate: boolean }
  /** Ask the user: the app renders its consent screen. */
  | { readonly kind: 'consent'; readonly prompt: ConsentPrompt }

const REMEMBER_VALUES = new Set(['1', 'true', 'on', 'yes'])

/**
 * `GET /authorize`: parses nothing itself; `beginAuthorization` decides, and this only maps its
 * step onto an outcome (a redirect response, the login hook, or the consent screen).
 */
export async function startAuthorization(
  server: AuthorizationServer,
  paths: OAuthPaths,
  query: string,
  signedIn: InteractionUser | null,
  ticketTtlSeconds: number,
): Promise<InteractionOutcome> {
  const step = await server.beginAuthorization({ parameters: query, signedIn, ttlSeconds: ticketTtlSeconds })
  switch (step.kind) {
    case 'redirect':
      return { kind: 'respond', response: redirectResponse(step.redirectUrl) }
    case 'login':
      return {
        kind: 'login',
        returnTo: `${paths.authorize}?${step.returnQuery}`,
        reauthenticate: step.reauthenticate,
      }
    case 'consent':
      return {
        kind: 'consent',
        prompt: {
          request: step.request,
          ticket: step.ticket,
          approvePath: paths.approve,
          denyPath: paths.deny,
          redirectUri: step.redirectUri,
          remembered: step.remembered,
        },
      }
  }
}

/**
 * `POST /authorize/approve` and `/authorize/deny`: reads the form's `ticket`, `remember` and
 * `scope` fields; `answerConsent` checks and consumes the ticket and answers the client.
 */
export async function answerConsentForm(
  server: AuthorizationServer,
  form: RawParameters,
  signedIn: InteractionUser | null,
  answer: 'approve' | 'deny',
): Promise<HttpResponse> {
  const ticket = typeof form.ticket === 'string' ? form.ticket : undefined
  const remember = typeof form.remember === 'string' && REMEMBER_VALUES.has(form.remember.toLowerCase())
  const scope = typeof form.scope === 'string' ? form.scope : undefined
  const { redirectUrl } = await server.answerConsent({
    ticket,
    answer,
    signedIn,
    remember,
    ...(scope === undefined ? {} : { scopes: scope.split(' ').filter(Boolean) }),
  })
  return redirectResponse(redirectUrl)
}
