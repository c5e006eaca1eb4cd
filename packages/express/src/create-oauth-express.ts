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
  reportToStderr,
  type ShownProblem,
} from '@sp-oauth/core/http'
import {
  createNodeGuards,
  createNodeOAuthHandler,
  type NodeExchange,
  type NodeMiddleware,
  type NodeOAuthHooks,
  requireHooks,
  splitRequestTarget,
} from '@sp-oauth/node-http'
import type { Request, RequestHandler, Response } from 'express'
import { writeHttpResponse } from './write-http-response.js'

declare global {
  namespace Express {
    interface Request {
      /** The bearer token's principal, set by `requireToken()` and the scope and client guards. */
      oauth?: Principal
    }
  }
}

/** Options of {@link createOAuthExpress}: the app's hooks, and the core's HTTP options. */
export interface OAuthExpressOptions extends Omit<OAuthHttpOptions, 'onError'> {
  /**
   * Who is signed in, or `null`. Called only on the interactive routes (authorize, approve, deny).
   * Name the session (`session: req.sessionID`) to bind consent forms to it, and report when the
   * user last signed in (`authTime`): `prompt=login` and `max_age` need it.
   */
  getUser(req: Request): InteractionUser | null | Promise<InteractionUser | null>
  /**
   * Nobody is signed in at `GET /authorize`, or the request needs a newer sign-in: send the
   * user to log in, then back to `returnTo` (the authorize request's path and query). When
   * `login.reauthenticate` is true, someone is signed in but `prompt=login` or `max_age` asks for
   * a sign-in newer than the request: ask for the credentials again even though a session exists,
   * and have `getUser` report the new sign-in's `authTime`; the request comes back here until it
   * does.
   */
  login(req: Request, res: Response, returnTo: string, login: LoginRequest): void | Promise<void>
  /** Show the consent screen: two forms posting `prompt.ticket` to `approvePath` and `denyPath`. */
  renderConsent(req: Request, res: Response, prompt: ConsentPrompt): void | Promise<void>
  /**
   * Show an error of an interactive route that may not go back to the client (an unknown client
   * or redirect URI, an expired consent form: RFC 6749 §4.1.2.1): `problem` has the status, error
   * code and description for your page; `response` is what would be sent otherwise (a JSON body).
   * Default: send `response` as it is.
   */
  renderErrorPage?(
    req: Request,
    res: Response,
    problem: ShownProblem,
    response: HttpResponse,
  ): void | Promise<void>
  /**
   * Told about every request that failed on the server's side (`500`, or `503` with the storage
   * unavailable), as its response is made: the error, a report naming the route, client and
   * request id (never a secret), and the request. Hand it to your logger or error tracker.
   * Default: one JSON line on stderr (`reportToStderr` from `@sp-oauth/core/http`).
   */
  onError?(error: unknown, report: ErrorReport, req: Request): void
}

/** The OAuth routes and guards for one authorization server, as Express middleware. */
export interface OAuthExpress {
  /** The framework-neutral surface underneath: paths, server, and everything the adapter calls. */
  readonly http: OAuthHttp
  /**
   * Answers every OAuth route (authorize, approve, deny, token, revoke, introspect, jwks,
   * metadata) and passes any other request to `next()`. Mount it on the app's root, before any
   * body parser: it reads the bodies of its own routes, and refuses to work from a parsed one.
   */
  readonly routes: RequestHandler
  /** Requires a valid bearer token; sets `req.oauth`. Otherwise answers 401 with a challenge. */
  requireToken(): RequestHandler
  /** Requires every one of `scopes` (authenticating the token first if needed); else 403. */
  requireAllScopes(...scopes: string[]): RequestHandler
  /** Requires at least one of `scopes` (authenticating the token first if needed); else 403. */
  requireAnyScope(...scopes: string[]): RequestHandler
  /** Requires a token issued to one of `clientIds` (authenticating it first if needed); else 403. */
  requireClient(...clientIds: string[]): RequestHandler
  /**
   * For an app with its own authorize route: validates the request's raw query string as
   * `GET /authorize` does.
   *
   * @throws OAuthError to render with {@link OAuthExpress.sendError}: shown before the client and
   *   redirect URI are trusted, redirected to the client after
   * @see RFC 6749 §4.1.1
   */
  validateAuthorizationRequest(req: Request): Promise<AuthorizationRequest>
  /**
   * Approves a validated request for `user` (with `consent`: narrowed scopes, claims, `remember`)
   * and redirects to the client with the code.
   *
   * @throws OAuthError `invalid_scope`, `invalid_request` (client revoked since): see `sendError`
   * @see RFC 6749 §4.1.2
   */
  approveAndRedirect(
    res: Response,
    request: AuthorizationRequest,
    user: UserReference,
    consent?: ConsentContext,
  ): Promise<void>
  /** Sends anything thrown as the core renders it: an OAuth error, or a fixed 500 for the rest. */
  sendError(res: Response, error: unknown): void
}

/**
 * Binds an authorization server to Express 5. The adapter only translates: it hands the raw
 * method, path, query, headers and body to `@sp-oauth/core/http` and copies the response back
 * (status, headers and body exactly; `app.disable('x-powered-by')` keeps Express's own header off).
 * Errors thrown by the hooks go to Express's error handling.
 *
 * @throws ConfigurationError for a missing hook or a bad `bodyLimitBytes` / `consentTicketTtlSeconds`
 */
export function createOAuthExpress(server: AuthorizationServer, options: OAuthExpressOptions): OAuthExpress {
  requireHooks(options)
  const { onError } = options
  const http = createOAuthHttp(server, {
    ...options,
    onError: onError
      ? (error, report) => onError(error, report, (report.context as Exchange).req)
      : reportToStderr,
  })
  return {
    http,
    routes: toRequestHandler(createNodeOAuthHandler(http, hooksOf(options), exchange)),
    ...createNodeGuards(http, exchange, toRequestHandler),
    validateAuthorizationRequest: (req) =>
      http.validateAuthorizationQuery(splitRequestTarget(req.originalUrl).query),
    approveAndRedirect: async (res, request, user, consent) => {
      writeHttpResponse(res, await http.approve(request, user, consent))
    },
    sendError: (res, error) => writeHttpResponse(res, http.errorResponse(error)),
  }
}

/** What the shared flow passes around for one Express request. */
interface Exchange {
  readonly req: Request
  readonly res: Response
}

/** The app's hooks as the shared flow calls them, with the request and response as one pair. */
function hooksOf(options: OAuthExpressOptions): NodeOAuthHooks<Exchange> {
  return {
    getUser: ({ req }) => options.getUser(req),
    login: ({ req, res }, returnTo, login) => options.login(req, res, returnTo, login),
    renderConsent: ({ req, res }, prompt) => options.renderConsent(req, res, prompt),
    renderErrorPage:
      options.renderErrorPage &&
      (({ req, res }, problem, response) => options.renderErrorPage?.(req, res, problem, response)),
  }
}

const exchange: NodeExchange<Exchange> = {
  request: ({ req }) => req,
  originalUrl: ({ req }) => req.originalUrl,
  write: ({ res }, response) => writeHttpResponse(res, response),
  principal: ({ req }) => req.oauth,
  setPrincipal: ({ req }, principal) => {
    req.oauth = principal
  },
}

/** Express middleware running `step`: `next()` when it lets the request on, `next(error)` when it fails. */
function toRequestHandler(step: NodeMiddleware<Exchange>): RequestHandler {
  return (req, res, next) => {
    step({ req, res }).then((outcome) => {
      if (outcome === 'next') next()
    }, next)
  }
}
