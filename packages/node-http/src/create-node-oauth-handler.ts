import type {
  ConsentPrompt,
  HttpResponse,
  InteractionUser,
  LoginRequest,
  OAuthHttp,
  ShownProblem,
} from '@sp-oauth/core/http'
import { httpRequestOf, splitRequestTarget } from './http-request-of.js'
import type { NodeExchange, NodeMiddleware } from './node-exchange.js'
import { ABORTED, readRequestBody, TOO_LARGE } from './read-request-body.js'

/**
 * The app's hooks, whatever the framework passes them: each adapter documents its own options and
 * maps them onto these.
 */
export interface NodeOAuthHooks<C> {
  /** Who is signed in, or `null`; asked on the interactive routes only. */
  getUser(c: C): InteractionUser | null | Promise<InteractionUser | null>
  /**
   * Nobody is signed in, or the request needs a newer sign-in (`login.reauthenticate`): send the
   * user to log in, then back to `returnTo`.
   */
  login(c: C, returnTo: string, login: LoginRequest): void | Promise<void>
  /** Show the consent screen for `prompt`. */
  renderConsent(c: C, prompt: ConsentPrompt): void | Promise<void>
  /** Show an error that may not go back to the client; absent, `response` is sent as it is. */
  renderErrorPage?:
    | ((c: C, problem: ShownProblem, response: HttpResponse) => void | Promise<void>)
    | undefined
}

/**
 * The OAuth routes of `http` as one framework-free middleware: it matches the route (or answers
 * `'next'`), reads the body within `http.bodyLimitBytes` (413 past it), asks `getUser` on the
 * interactive routes, and copies the core's answer or runs the app's login, consent or error hook.
 * Hooks' errors, and a body read already by a parser, reject for the framework's error handling.
 *
 * @see RFC 6749 §4.1.2.1 for the errors shown rather than redirected
 */
export function createNodeOAuthHandler<C>(
  http: OAuthHttp,
  hooks: NodeOAuthHooks<C>,
  exchange: NodeExchange<C>,
): NodeMiddleware<C> {
  return async (c) => {
    const target = splitRequestTarget(exchange.originalUrl(c))
    const request = exchange.request(c)
    const route = http.route(request.method ?? 'GET', target.path)
    if (route === null) return 'next'
    let body: Uint8Array | null = null
    if (route.readsBody) {
      const read = await readRequestBody(request, http.bodyLimitBytes)
      if (read === TOO_LARGE) {
        exchange.write(c, http.payloadTooLarge())
        return 'handled'
      }
      if (read === ABORTED) return 'handled'
      body = read
    }
    const signedIn = route.interactive ? await hooks.getUser(c) : null
    const outcome = await http.handle(route, httpRequestOf(request, target, body, c), signedIn)
    switch (outcome.kind) {
      case 'login':
        await hooks.login(c, outcome.returnTo, { reauthenticate: outcome.reauthenticate })
        break
      case 'consent':
        await hooks.renderConsent(c, outcome.prompt)
        break
      case 'respond':
        exchange.write(c, outcome.response)
        break
      case 'error':
        if (hooks.renderErrorPage) await hooks.renderErrorPage(c, outcome.problem, outcome.response)
        else exchange.write(c, outcome.response)
        break
      default:
        // A newer core may answer with a kind this adapter does not know: fail loudly, never hang.
        throw new Error(
          `@sp-oauth/core/http answered an unknown outcome: ${(outcome as { kind: string }).kind}`,
        )
    }
    return 'handled'
  }
}
