import {
  type AuthorizationRequest,
  type AuthorizationServer,
  ConfigurationError,
  type ConsentContext,
  type Principal,
  type UserReference,
} from '@sp-oauth/core'
import {
  type ConsentPrompt,
  createOAuthHttp,
  type HttpResponse,
  type InteractionUser,
  type OAuthHttp,
  type OAuthHttpOptions,
  type ResourceRequirement,
  type ShownProblem,
} from '@sp-oauth/core/http'
import { httpRequestOf, readRequestBody, splitRequestTarget, TOO_LARGE } from '@sp-oauth/node-http'
import type { Context, Middleware, Next } from 'koa'
import { writeHttpResponse } from './write-http-response.js'

/** What the bearer guards put on `ctx.state`; for apps that type their own state (`new Koa<State>()`). */
export interface OAuthState {
  /** The bearer token's principal, set by `requireToken()` and the scope and client guards. */
  oauth?: Principal
}

declare module 'koa' {
  interface DefaultState extends OAuthState {}
}

/** Options of {@link createOAuthKoa}: the app's hooks, and the core's HTTP options. */
export interface OAuthKoaOptions extends OAuthHttpOptions {
  /**
   * Who is signed in, or `null`. Called only on the interactive routes (authorize, approve, deny).
   * Name the session (`session: ctx.session.id`, say) to bind consent forms to it.
   */
  getUser(ctx: Context): InteractionUser | null | Promise<InteractionUser | null>
  /**
   * Nobody is signed in at `GET /authorize` (or `prompt=login` asks to sign in again): send the
   * user to log in, then back to `returnTo`, the authorize request's path and query (without
   * `login` in `prompt`).
   */
  login(ctx: Context, returnTo: string): void | Promise<void>
  /** Show the consent screen: two forms posting `prompt.ticket` to `approvePath` and `denyPath`. */
  renderConsent(ctx: Context, prompt: ConsentPrompt): void | Promise<void>
  /**
   * Show an error of an interactive route that may not go back to the client (an unknown client
   * or redirect URI, an expired consent form: RFC 6749 §4.1.2.1): `problem` has the status, error
   * code and description for your page; `response` is what would be sent otherwise (a JSON body).
   * Default: send `response` as it is.
   */
  renderError?(ctx: Context, problem: ShownProblem, response: HttpResponse): void | Promise<void>
}

/** The OAuth routes and guards for one authorization server, as Koa middleware. */
export interface OAuthKoa {
  /** The framework-neutral surface underneath: paths, server, and everything the adapter calls. */
  readonly http: OAuthHttp
  /**
   * Answers every OAuth route (authorize, approve, deny, token, revoke, introspect, jwks,
   * metadata) and awaits `next()` for any other request. Use it before any body parser: it reads
   * the bodies of its own routes, and refuses to work from a parsed one.
   */
  readonly middleware: Middleware
  /** Requires a valid bearer token; sets `ctx.state.oauth`. Otherwise answers 401 with a challenge. */
  requireToken(): Middleware
  /** Requires every one of `scopes` (authenticating the token first if needed); else 403. */
  requireAllScopes(...scopes: string[]): Middleware
  /** Requires at least one of `scopes` (authenticating the token first if needed); else 403. */
  requireAnyScope(...scopes: string[]): Middleware
  /** Requires a token issued to one of `clientIds` (authenticating it first if needed); else 403. */
  requireClient(...clientIds: string[]): Middleware
  /**
   * For an app with its own authorize route: validates the request's raw query string as
   * `GET /authorize` does.
   *
   * @throws OAuthError to render with {@link OAuthKoa.sendError}: shown before the client and
   *   redirect URI are trusted, redirected to the client after
   * @see RFC 6749 §4.1.1
   */
  validateAuthorizationRequest(ctx: Context): Promise<AuthorizationRequest>
  /**
   * Approves a validated request for `user` (with `consent`: narrowed scopes, claims, `remember`)
   * and redirects to the client with the code.
   *
   * @throws OAuthError `invalid_scope`, `invalid_request` (client revoked since): see `sendError`
   * @see RFC 6749 §4.1.2
   */
  approveAndRedirect(
    ctx: Context,
    request: AuthorizationRequest,
    user: UserReference,
    consent?: ConsentContext,
  ): Promise<void>
  /** Sends anything thrown as the core renders it: an OAuth error, or a fixed 500 for the rest. */
  sendError(ctx: Context, error: unknown): void
}

/**
 * Binds an authorization server to Koa 3. The adapter only translates: it hands the raw method,
 * path, query, headers and body to `@sp-oauth/core/http` and copies the response back (status,
 * headers and body exactly). Errors thrown by the hooks propagate through Koa's middleware.
 *
 * @throws ConfigurationError for a missing hook or a bad `bodyLimitBytes` / `consentTicketTtlSeconds`
 */
export function createOAuthKoa(server: AuthorizationServer, options: OAuthKoaOptions): OAuthKoa {
  requireHooks(options)
  const http = createOAuthHttp(server, options)

  const middleware: Middleware = async (ctx, next) => {
    const target = splitRequestTarget(ctx.originalUrl)
    const route = http.route(ctx.method, target.path)
    if (route === null) {
      await next()
      return
    }
    let body: Uint8Array | null = null
    if (route.readsBody) {
      const read = await readRequestBody(ctx.req, http.bodyLimitBytes)
      if (read === TOO_LARGE) return writeHttpResponse(ctx, http.payloadTooLarge())
      body = read
    }
    const signedIn = route.interactive ? await options.getUser(ctx) : null
    const outcome = await http.handle(route, httpRequestOf(ctx.req, target, body), signedIn)
    switch (outcome.kind) {
      case 'login':
        return options.login(ctx, outcome.returnTo)
      case 'consent':
        return options.renderConsent(ctx, outcome.prompt)
      case 'respond':
        return writeHttpResponse(ctx, outcome.response)
      case 'error':
        if (options.renderError) return options.renderError(ctx, outcome.problem, outcome.response)
        return writeHttpResponse(ctx, outcome.response)
      default:
        // A newer core may answer with a kind this adapter does not know: fail loudly, never hang.
        throw new Error(
          `@sp-oauth/core/http answered an unknown outcome: ${(outcome as { kind: string }).kind}`,
        )
    }
  }

  const guard = (requirement: ResourceRequirement): Middleware => {
    return async (ctx, next: Next) => {
      const result = await http.protect(ctx.req.headers.authorization, requirement, ctx.state.oauth)
      if (result.response) return writeHttpResponse(ctx, result.response)
      ctx.state.oauth = result.principal
      await next()
    }
  }

  return {
    http,
    middleware,
    requireToken: () => guard({}),
    requireAllScopes: (...scopes) => guard({ allScopes: atLeastOne(scopes, 'requireAllScopes') }),
    requireAnyScope: (...scopes) => guard({ anyScope: atLeastOne(scopes, 'requireAnyScope') }),
    requireClient: (...clientIds) => guard({ clients: atLeastOne(clientIds, 'requireClient') }),
    validateAuthorizationRequest: (ctx) =>
      http.validateAuthorizationQuery(splitRequestTarget(ctx.originalUrl).query),
    approveAndRedirect: async (ctx, request, user, consent) => {
      writeHttpResponse(ctx, await http.approve(request, user, consent))
    },
    sendError: (ctx, error) => writeHttpResponse(ctx, http.errorResponse(error)),
  }
}

function atLeastOne(values: readonly string[], guard: string): readonly string[] {
  if (values.length === 0) throw new ConfigurationError([`${guard}: name at least one`])
  return values
}

function requireHooks(options: OAuthKoaOptions): void {
  const problems = (['getUser', 'login', 'renderConsent'] as const)
    .filter((hook) => typeof options[hook] !== 'function')
    .map((hook) => `${hook}: must be a function`)
  if (options.renderError !== undefined && typeof options.renderError !== 'function') {
    problems.push('renderError: must be a function when given')
  }
  if (problems.length > 0) throw new ConfigurationError(problems)
}
