import { ConfigurationError } from '@sp-oauth/core'
import type { OAuthHttp, ResourceRequirement } from '@sp-oauth/core/http'
import { splitRequestTarget } from './http-request-of.js'
import type { NodeExchange, NodeMiddleware } from './node-exchange.js'

/** The bearer guards of a Node adapter, as its framework's middleware `M`. */
export interface NodeGuards<M> {
  /** Requires a valid bearer token and hands its principal on; otherwise 401 with a challenge. */
  requireToken(): M
  /** Requires every one of `scopes` (authenticating the token first if needed); else 403. */
  requireAllScopes(...scopes: string[]): M
  /** Requires at least one of `scopes` (authenticating the token first if needed); else 403. */
  requireAnyScope(...scopes: string[]): M
  /** Requires a token issued to one of `clientIds` (authenticating it first if needed); else 403. */
  requireClient(...clientIds: string[]): M
}

/**
 * The bearer guards over `http`: each checks the `Authorization` header (or the principal an
 * earlier guard set) against its requirement, then sets the principal and answers `'next'`, or
 * writes the core's 401 / 403 and answers `'handled'`. `toMiddleware` makes each one its
 * framework's middleware.
 *
 * @throws ConfigurationError from a scope or client guard given nothing to require
 * @see RFC 6750 §3.1
 */
export function createNodeGuards<C, M>(
  http: OAuthHttp,
  exchange: NodeExchange<C>,
  toMiddleware: (guard: NodeMiddleware<C>) => M,
): NodeGuards<M> {
  const guard = (requirement: ResourceRequirement): M =>
    toMiddleware(async (c) => {
      const request = exchange.request(c)
      const result = await http.protect(request.headers.authorization, requirement, exchange.principal(c), {
        method: request.method ?? 'GET',
        path: splitRequestTarget(exchange.originalUrl(c)).path,
        // Only what a report of a failure names: the request id.
        headers: { 'x-request-id': oneHeader(request.headers['x-request-id']) },
        context: c,
      })
      if (result.response) {
        exchange.write(c, result.response)
        return 'handled'
      }
      exchange.setPrincipal(c, result.principal)
      return 'next'
    })
  return {
    requireToken: () => guard({}),
    requireAllScopes: (...scopes) => guard({ allScopes: atLeastOne(scopes, 'requireAllScopes') }),
    requireAnyScope: (...scopes) => guard({ anyScope: atLeastOne(scopes, 'requireAnyScope') }),
    requireClient: (...clientIds) => guard({ clients: atLeastOne(clientIds, 'requireClient') }),
  }
}

function atLeastOne(values: readonly string[], guard: string): readonly string[] {
  if (values.length === 0) throw new ConfigurationError([`${guard}: name at least one`])
  return values
}

function oneHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}
