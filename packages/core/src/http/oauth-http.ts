import type { Principal } from '../domain/principal.js'
import type { OAuthHttpResponse } from '../errors/render-error.js'
import { createMemoryRateLimiter } from '../rate-limit/memory-rate-limiter.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import type { ConsentContext } from '../use-cases/approve-authorization-request.js'
import type { ClientRequest } from '../use-cases/internal/http-request.js'
import type { UserReference } from '../use-cases/internal/user-id.js'
import { requireAllScopes, requireAnyScope, requireClient } from '../use-cases/require-scopes.js'
import type { AuthorizationRequest } from '../use-cases/validate-authorization-request.js'
import { errorReportOf, reportSafely } from './error-report.js'
import { parseFormBody, parseUrlEncoded, type RawParameters } from './form-encoding.js'
import {
  type HttpRequest,
  type HttpResponse,
  httpRefusal,
  jsonResponse,
  NO_STORE,
  redirectResponse,
} from './http-message.js'
import { type OAuthHttpOptions, resolveHttpOptions } from './http-options.js'
import {
  answerConsentForm,
  type InteractionOutcome,
  type InteractionUser,
  type ShownProblem,
  startAuthorization,
} from './interaction.js'
import { type OAuthPaths, oauthPaths } from './oauth-paths.js'
import { createRequestLimits, type RequestLimit, RequestLimited } from './request-limits.js'
import { serverMetadata } from './server-metadata.js'

export type OAuthRouteName =
  | 'authorize'
  | 'approve'
  | 'deny'
  | 'token'
  | 'revoke'
  | 'introspect'
  | 'jwks'
  | 'metadata'
  | 'health'

/** One of the server's routes, matched by path. */
export interface OAuthRoute {
  readonly name: OAuthRouteName
  /** The methods the route answers; any other gets 405. */
  readonly methods: readonly string[]
  /** Read the body (within `bodyLimitBytes`) before calling `handle`: the method takes one. */
  readonly readsBody: boolean
  /** Ask the app who is signed in before calling `handle`. */
  readonly interactive: boolean
}

/** What a protected resource requires of the bearer token, on top of being valid. */
export interface ResourceRequirement {
  /** Every one of these scopes. */
  readonly allScopes?: readonly string[]
  /** At least one of these scopes. */
  readonly anyScope?: readonly string[]
  /** Issued to one of these clients. */
  readonly clients?: readonly string[]
}

export type ProtectionResult =
  | { readonly principal: Principal; readonly response?: never }
  | { readonly response: HttpResponse; readonly principal?: never }

/**
 * The server's HTTP surface, framework-neutral: an adapter matches a route, reads the body if the
 * route wants one, asks the app for the signed-in user on interactive routes, calls `handle`, and
 * copies the response (or runs the app's login / consent hook). Every OAuth rule is here, so every
 * framework answers the same bytes with the same bytes.
 */
export interface OAuthHttp {
  readonly server: AuthorizationServer
  readonly paths: OAuthPaths
  readonly bodyLimitBytes: number
  /** The route at `path` (any method), or `null` when the path is not the server's. */
  route(method: string, path: string): OAuthRoute | null
  /** Answers a request on `route`. Never rejects: failures are rendered as responses. */
  handle(
    route: OAuthRoute,
    request: HttpRequest,
    signedIn: InteractionUser | null,
  ): Promise<InteractionOutcome>
  /** The answer to a body over `bodyLimitBytes`. */
  payloadTooLarge(): HttpResponse
  /**
   * Checks a bearer token (or an already authenticated principal) against a requirement. Give the
   * request's method, path and headers (and your `context`) so a failure on the server's side is
   * reported with them.
   */
  protect(
    authorization: string | undefined,
    requirement?: ResourceRequirement,
    known?: Principal,
    request?: Pick<HttpRequest, 'method' | 'path' | 'headers' | 'context'>,
  ): Promise<ProtectionResult>
  /** For apps with their own authorize route: validates a raw query string, as `GET /authorize` does. */
  validateAuthorizationQuery(query: string): Promise<AuthorizationRequest>
  /**
   * For apps with their own authorize route: approves a validated request for `user` and answers
   * with the redirect to the client, as the approve route does.
   *
   * @throws OAuthError `invalid_scope`, `invalid_request` (client revoked since)
   */
  approve(request: AuthorizationRequest, user: UserReference, consent?: ConsentContext): Promise<HttpResponse>
  /** Renders anything thrown (an `OAuthError` or not) as the response to send. */
  errorResponse(error: unknown): HttpResponse
}

const GET = ['GET', 'HEAD'] as const
const POST = ['POST'] as const

/**
 * Builds the HTTP surface of `server`: its routes under the issuer's path and `routePrefix`, with
 * the metadata document at its RFC 8414 well-known path.
 *
 * @throws ConfigurationError naming each bad option (`routePrefix`, `bodyLimitBytes`, `consentTicketTtlSeconds`)
 */
export function createOAuthHttp(server: AuthorizationServer, options: OAuthHttpOptions = {}): OAuthHttp {
  const {
    routePrefix,
    bodyLimitBytes,
    consentTicketTtlSeconds: ticketTtl,
    onError,
    healthPath,
    rateLimit,
    rateLimiter,
  } = resolveHttpOptions(options)
  // Limits count in real time, whatever clock the server's lifetimes run on (tests move theirs).
  const admit = createRequestLimits(rateLimit, rateLimiter ?? createMemoryRateLimiter())
  const paths = oauthPaths(server.config.issuer, routePrefix)
  const errorResponse = (error: unknown): HttpResponse => toHttpResponse(server.renderError(error))
  const toHttpResponse = (rendered: OAuthHttpResponse): HttpResponse => {
    if (rendered.body === null) {
      // A redirect or a bare challenge: nothing to describe the type of.
      const { 'content-type': _none, ...headers } = rendered.headers
      return { status: rendered.status, headers, body: null }
    }
    return {
      status: rendered.status,
      headers: withJsonType(rendered.headers),
      body: JSON.stringify(rendered.body),
    }
  }
  const table = new Map<string, { readonly name: OAuthRouteName; readonly methods: readonly string[] }>([
    [paths.authorize, { name: 'authorize', methods: GET }],
    [paths.approve, { name: 'approve', methods: POST }],
    [paths.deny, { name: 'deny', methods: POST }],
    [paths.token, { name: 'token', methods: POST }],
    [paths.revoke, { name: 'revoke', methods: POST }],
    [paths.introspect, { name: 'introspect', methods: POST }],
    [paths.jwks, { name: 'jwks', methods: GET }],
    [paths.metadata, { name: 'metadata', methods: GET }],
    [paths.prefixedMetadata, { name: 'metadata', methods: GET }],
  ])
  if (healthPath !== null) table.set(healthPath, { name: 'health', methods: GET })
  const metadata = serverMetadata(server.config, paths)

  async function answer(
    name: OAuthRouteName,
    request: HttpRequest,
    signedIn: InteractionUser | null,
    form: () => RawParameters,
    onClientAuthentication: ClientRequest['onClientAuthentication'],
  ) {
    const client = (): ClientRequest => ({
      body: form(),
      authorization: request.headers.authorization,
      query: parseUrlEncoded(request.query, 'query'),
      onClientAuthentication,
    })
    switch (name) {
      case 'authorize':
        return startAuthorization(server, paths, request.query, signedIn, ticketTtl)
      case 'approve':
      case 'deny':
        return respond(await answerConsentForm(server, form(), signedIn, name))
      case 'token':
        return respond(jsonResponse(200, await server.issueTokenFromRequest(client())))
      case 'revoke':
        await server.revokeTokenFromRequest(client())
        return respond({ status: 200, headers: NO_STORE, body: null })
      case 'introspect':
        return respond(jsonResponse(200, await server.introspectTokenFromRequest(client())))
      case 'jwks':
        return respond(
          jsonResponse(200, await server.getJwks(), publicFor(server.config.signingKeyCacheSeconds)),
        )
      case 'metadata':
        return respond(jsonResponse(200, metadata, publicFor(3600)))
      case 'health': {
        // Statuses only: the problems name hosts and errors, which are for your logs.
        const { healthy, checks } = await server.health()
        return respond(jsonResponse(healthy ? 200 : 503, { status: healthy ? 'ok' : 'unavailable', checks }))
      }
    }
  }

  return {
    server,
    paths,
    bodyLimitBytes,
    route: (method, path) => {
      const entry = table.get(path)
      if (!entry) return null
      const allowed = entry.methods.includes(method.toUpperCase())
      return {
        name: entry.name,
        methods: entry.methods,
        readsBody: allowed && entry.methods === POST,
        interactive:
          allowed && (entry.name === 'authorize' || entry.name === 'approve' || entry.name === 'deny'),
      }
    },
    handle: async (route, request, signedIn) => {
      const { methods } = route
      if (!methods.includes(request.method.toUpperCase())) {
        return respond(httpRefusal(405, `Use ${methods.join(' or ')}.`, { allow: methods.join(', ') }))
      }
      let limit: RequestLimit | null = null
      try {
        // Parsed once, for the limits (the client id) and the use case alike.
        const form = parsedOnce(() => parseFormBody(request.headers['content-type'], request.body))
        limit = await admit(route.name, request, form)
        if (limit.refused) return route.interactive ? shownError(limit.refused) : respond(limit.refused)
        const outcome = await answer(route.name, request, signedIn, form, limit.onClientAuthentication)
        const refused = await limit.charge()
        return refused ? respond(refused) : outcome
      } catch (thrown) {
        if (thrown instanceof RequestLimited) return respond(thrown.response)
        let error = thrown
        try {
          const refused = await limit?.charge()
          if (refused) return respond(refused)
        } catch (limiterError) {
          error = limiterError
        }
        const rendered = server.renderError(error)
        const response = toHttpResponse(rendered)
        if (response.status >= 500)
          reportSafely(onError, error, errorReportOf(route.name, request, response.status))
        // On a browser route, an error that may not go back to the client is the app's to show.
        if (!route.interactive || response.status < 400) return respond(response)
        return shownError(response)
      }
    },
    // The rest of the body is still on the wire: closing is the only way to be rid of it unread.
    payloadTooLarge: () =>
      httpRefusal(413, `The request body exceeds ${bodyLimitBytes} bytes.`, { connection: 'close' }),
    protect: async (authorization, requirement = {}, known, request) => {
      try {
        const principal = known ?? (await server.authenticateBearer({ authorization }))
        if (requirement.allScopes) requireAllScopes(principal, requirement.allScopes)
        if (requirement.anyScope) requireAnyScope(principal, requirement.anyScope)
        if (requirement.clients) requireClient(principal, requirement.clients)
        return { principal }
      } catch (error) {
        const response = errorResponse(error)
        if (response.status >= 500) {
          const origin = request ?? { method: 'GET', path: '' }
          reportSafely(onError, error, errorReportOf('resource', origin, response.status))
        }
        return { response }
      }
    },
    approve: async (request, user, consent) =>
      redirectResponse((await server.approveAuthorizationRequest(request, user, consent)).redirectUrl),
    validateAuthorizationQuery: (query) =>
      server.validateAuthorizationRequest(parseUrlEncoded(query, 'query')),
    errorResponse,
  }
}

/** `parse` run at most once: its result, or the error it threw, kept for every later call. */
function parsedOnce<T>(parse: () => T): () => T {
  let outcome: { readonly value: T } | { readonly error: unknown } | null = null
  return () => {
    if (outcome === null) {
      try {
        outcome = { value: parse() }
      } catch (error) {
        outcome = { error }
      }
    }
    if ('error' in outcome) throw outcome.error
    return outcome.value
  }
}

function respond(response: HttpResponse): InteractionOutcome {
  return { kind: 'respond', response }
}

/** An error of a browser route, for the app's own page: never sent back to the client. */
function shownError(response: HttpResponse): InteractionOutcome {
  const body = JSON.parse(response.body ?? '{}') as Record<string, unknown>
  const problem: ShownProblem = {
    status: response.status,
    error: String(body.error),
    description: typeof body.error_description === 'string' ? body.error_description : null,
  }
  return { kind: 'error', response, problem }
}

function withJsonType(headers: Readonly<Record<string, string>>): Record<string, string> {
  return { ...headers, 'content-type': 'application/json; charset=utf-8' }
}

/** Public documents clients may cache a while: metadata, and keys no longer than the key cache. */
function publicFor(seconds: number): Record<string, string> {
  return { 'cache-control': `public, max-age=${seconds}` }
}
