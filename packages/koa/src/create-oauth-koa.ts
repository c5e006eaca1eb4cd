import type {
  AuthorizationRequest,
  AuthorizationServer,
  ConsentContext,
  Principal,
  UserReference,
} from '@sp-oauth/core'
import {
  type ConsentPrompt,
  createOAuthHttp,
  type ErrorReport,
  type HttpResponse,
  type InteractionUser,
  type LoginRequest,
  type OAuthHttp,
  type OAuthHttpOptions,
  type ShownProblem,
} from '@sp-oauth/core/http'
import {
  createNodeGuards,
  createNodeOAuthHandler,
  type NodeExchange,
  type NodeMiddleware,
  requireHooks,
  splitRequestTarget,
} from '@sp-oauth/node-http'
import type { Context, Middleware } from 'koa'
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
export interface OAuthKoaOptions extends Omit<OAuthHttpOptions, 'onError'> {
  /**
   * Who is signed in, or `null`. Called only on the interactive routes (authorize, approve, deny).
   * Name the session (`session: ctx.session.id`, say) to bind consent forms to it, and report
   * when the user last signed in (`authTime`): `prompt=login` and `max_age` need it.
   */
  getUser(ctx: Context): InteractionUser | null | Promise<InteractionUser | null>
  /**
   * Nobody is signed in at `GET /authorize`, or the request needs a newer sign-in: send the
   * user to log in, then back to `returnTo` (the authorize request's path and query). When
   * `login.reauthenticate` is true, someone is signed in but `prompt=login` or `max_age` asks for
   * a sign-in newer than the request: ask for the credentials again even though a session exists,
   * and have `getUser` report the new sign-in's `authTime`; the request comes back here until it
   * does.
   */
  login(ctx: Context, returnTo: string, login: LoginRequest): void | Promise<void>
  /** Show the consent screen: two forms posting `prompt.ticket` to `approvePath` and `denyPath`. */
  renderConsent(ctx: Context, prompt: ConsentPrompt): void | Promise<void>
  /**
   * Show an error of an interactive route that may not go back to the client (an unknown client
   * or redirect URI, an expired consent form: RFC 6749 §4.1.2.1): `problem` has the status, error
   * code and description for your page; `response` is what would be sent otherwise (a JSON body).
   * Default: send `response` as it is.
   */
  renderErrorPage?(ctx: Context, problem: ShownProblem, response: HttpResponse): void | Promise<void>
  /**
   * Told about every request that failed on the server's side (`500`, or `503` with the storage
   * unavailable), as its response is made: the error, a report naming the route, client and
   * request id (never a secret), and the context. Default: Koa's own way,
   * `ctx.app.emit('error', error, ctx)`, so your `app.on('error', …)` listener (or Koa's default
   * one, which prints it to stderr) sees it.
   */
  onError?(error: unknown, report: ErrorReport, ctx: Context): void
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
  readonly routes: Middleware
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
  const onError =
    options.onError ??
    ((error: unknown, _report: ErrorReport, ctx: Context) => ctx.app.emit('error', error, ctx))
  const http = createOAuthHttp(server, {
    ...options,
    onError: (error, report) => onError(error, report, report.context as Context),
  })
  return {
    http,
    // Koa hands the hooks `ctx` as it is: the options are the shared flow's hooks.
    routes: toMiddleware(createNodeOAuthHandler(http, options, exchange)),
    ...createNodeGuards(http, exchange, toMiddleware),
    validateAuthorizationRequest: (ctx) =>
      http.validateAuthorizationQuery(splitRequestTarget(ctx.originalUrl).query),
    approveAndRedirect: async (ctx, request, user, consent) => {
      writeHttpResponse(ctx, await http.approve(request, user, consent))
    },
    sendError: (ctx, error) => writeHttpResponse(ctx, http.errorResponse(error)),
  }
}

const exchange: NodeExchange<Context> = {
  request: (ctx) => ctx.req,
  originalUrl: (ctx) => ctx.originalUrl,
  write: writeHttpResponse,
  principal: (ctx) => ctx.state.oauth,
  setPrincipal: (ctx, principal) => {
    ctx.state.oauth = principal
  },
}

/** Koa middleware running `step`, then awaiting `next()` when it lets the request on. */
function toMiddleware(step: NodeMiddleware<Context>): Middleware {
  return async (ctx, next) => {
    if ((await step(ctx)) === 'next') await next()
  }
}
