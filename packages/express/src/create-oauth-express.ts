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
import type { NextFunction, Request, RequestHandler, Response } from 'express'
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
export interface OAuthExpressOptions extends OAuthHttpOptions {
  /**
   * Who is signed in, or `null`. Called only on the interactive routes (authorize, approve, deny).
   * Name the session (`session: req.sessionID`) to bind consent forms to it.
   */
  getUser(req: Request): InteractionUser | null | Promise<InteractionUser | null>
  /**
   * Nobody is signed in at `GET /authorize` (or `prompt=login` asks to sign in again): send the
   * user to log in, then back to `returnTo`, the authorize request's path and query (without
   * `login` in `prompt`).
   */
  login(req: Request, res: Response, returnTo: string): void | Promise<void>
  /** Show the consent screen: two forms posting `prompt.ticket` to `approvePath` and `denyPath`. */
  renderConsent(req: Request, res: Response, prompt: ConsentPrompt): void | Promise<void>
  /**
   * Show an error of an interactive route that may not go back to the client (an unknown client
   * or redirect URI, an expired consent form: RFC 6749 §4.1.2.1): `problem` has the status, error
   * code and description for your page; `response` is what would be sent otherwise (a JSON body).
   * Default: send `response` as it is.
   */
  renderError?(
    req: Request,
    res: Response,
    problem: ShownProblem,
    response: HttpResponse,
  ): void | Promise<void>
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
  readonly router: RequestHandler
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
  const http = createOAuthHttp(server, options)

  async function serve(req: Request, res: Response, next: NextFunction): Promise<void> {
    const target = splitRequestTarget(req.originalUrl)
    const route = http.route(req.method, target.path)
    if (route === null) return next()
    let body: Uint8Array | null = null
    if (route.readsBody) {
      const read = await readRequestBody(req, http.bodyLimitBytes)
      if (read === TOO_LARGE) return writeHttpResponse(res, http.payloadTooLarge())
      body = read
    }
    const signedIn = route.interactive ? await options.getUser(req) : null
    const outcome = await http.handle(route, httpRequestOf(req, target, body), signedIn)
    switch (outcome.kind) {
      case 'login':
        return options.login(req, res, outcome.returnTo)
      case 'consent':
        return options.renderConsent(req, res, outcome.prompt)
      case 'respond':
        return writeHttpResponse(res, outcome.response)
      case 'error':
        if (options.renderError) return options.renderError(req, res, outcome.problem, outcome.response)
        return writeHttpResponse(res, outcome.response)
      default:
        // A newer core may answer with a kind this adapter does not know: fail loudly, never hang.
        throw new Error(
          `@sp-oauth/core/http answered an unknown outcome: ${(outcome as { kind: string }).kind}`,
        )
    }
  }

  const guard = (requirement: ResourceRequirement): RequestHandler => {
    return (req, res, next) => {
      http.protect(req.headers.authorization, requirement, req.oauth).then((result) => {
        if (result.response) return writeHttpResponse(res, result.response)
        req.oauth = result.principal
        next()
      }, next)
    }
  }

  return {
    http,
    router: (req, res, next) => {
      serve(req, res, next).catch(next)
    },
    requireToken: () => guard({}),
    requireAllScopes: (...scopes) => guard({ allScopes: atLeastOne(scopes, 'requireAllScopes') }),
    requireAnyScope: (...scopes) => guard({ anyScope: atLeastOne(scopes, 'requireAnyScope') }),
    requireClient: (...clientIds) => guard({ clients: atLeastOne(clientIds, 'requireClient') }),
    validateAuthorizationRequest: (req) =>
      http.validateAuthorizationQuery(splitRequestTarget(req.originalUrl).query),
    approveAndRedirect: async (res, request, user, consent) => {
      writeHttpResponse(res, await http.approve(request, user, consent))
    },
    sendError: (res, error) => writeHttpResponse(res, http.errorResponse(error)),
  }
}

function atLeastOne(values: readonly string[], guard: string): readonly string[] {
  if (values.length === 0) throw new ConfigurationError([`${guard}: name at least one`])
  return values
}

function requireHooks(options: OAuthExpressOptions): void {
  const problems = (['getUser', 'login', 'renderConsent'] as const)
    .filter((hook) => typeof options[hook] !== 'function')
    .map((hook) => `${hook}: must be a function`)
  if (options.renderError !== undefined && typeof options.renderError !== 'function') {
    problems.push('renderError: must be a function when given')
  }
  if (problems.length > 0) throw new ConfigurationError(problems)
}
