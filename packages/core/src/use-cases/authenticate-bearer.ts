import { isGrantType } from '../domain/grant-type.js'
import { createPrincipal, type Principal } from '../domain/principal.js'
import { parseScope } from '../domain/scope.js'
import { OAuthError } from '../errors/oauth-error.js'
import { bearerReads, findPresentedAccessToken } from './internal/find-presented-token.js'
import { RESERVED_JWT_CLAIMS } from './internal/issue-tokens.js'
import type { ServerContext } from './internal/server-context.js'

/** How a protected resource hands over the credentials of a request. */
export interface BearerRequest {
  /** The `Authorization` header, as received. */
  readonly authorization?: string | undefined
}

/** RFC 6750 §2.1: `Bearer` and a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/**
 * Authenticates the bearer token of a resource request and returns its {@link Principal}. An
 * opaque token costs one HMAC and one lookup; a JWT one signature check, plus one lookup by `jti`
 * when `jwt.checkRevocation` is on (the default). Whether the token's client was revoked comes from
 * memory (a client read at most once per `clientCacheSeconds`; see `ClientRevocationCache`).
 *
 * With `jwt.checkRevocation` off, a JWT is trusted on its signature and expiry alone: a revoked
 * token, or a token of a revoked client, keeps working until it expires.
 *
 * @throws OAuthError 401 without error code when no bearer token was sent; `invalid_request` (400)
 *   for a malformed header; `invalid_token` (401) when the token is unknown, expired, revoked,
 *   badly signed, or its client was revoked
 * @see RFC 6750 §2.1, §3
 */
export async function authenticateBearer(context: ServerContext, request: BearerRequest): Promise<Principal> {
  const header = request.authorization
  if (header === undefined || header === '' || !/^Bearer(\s|$)/i.test(header)) {
    throw OAuthError.invalidToken({ description: 'A bearer token is required.', missingBearer: true })
  }
  const match = BEARER.exec(header)
  if (!match) {
    throw OAuthError.invalidRequest({
      description: 'The Authorization header is malformed.',
      challenge: 'Bearer',
    })
  }
  const token = match[1]!
  const invalid = (): OAuthError =>
    OAuthError.invalidToken({ description: 'The access token is invalid, expired or revoked.' })
  const presented = await findPresentedAccessToken(context, token, {
    lookUp: context.config.jwtCheckRevocation,
    read: bearerReads(context),
  })
  if (!presented) throw invalid()
  const now = context.clock.now()
  const { record } = presented
  if (record) {
    if (record.revokedAt !== null || now.getTime() >= record.expiresAt.getTime()) throw invalid()
    if (await context.clientRevocations.isRevoked(record.clientId)) throw invalid()
    return createPrincipal({
      clientId: record.clientId,
      userId: record.userId,
      grantType: record.grantType,
      scopes: record.scopes,
      claims: record.claims,
      tokenId: record.id,
      expiresAt: record.expiresAt,
    })
  }
  // A JWT trusted on its signature alone (revocation checking is off); jose checked `exp`.
  return principalFromClaims(presented.jwtClaims ?? {}) ?? Promise.reject(invalid())
}

function principalFromClaims(claims: Readonly<Record<string, unknown>>): Principal | null {
  const { client_id: clientId, sub, gty, scope, jti, exp } = claims
  if (typeof clientId !== 'string' || typeof sub !== 'string' || typeof jti !== 'string') return null
  if (typeof gty !== 'string' || !isGrantType(gty) || typeof exp !== 'number') return null
  const scopes = typeof scope === 'string' ? parseScope(scope) : []
  if (scopes === null) return null
  return createPrincipal({
    clientId,
    userId: gty === 'client_credentials' ? null : sub,
    grantType: gty,
    scopes,
    claims: Object.fromEntries(Object.entries(claims).filter(([name]) => !RESERVED_JWT_CLAIMS.has(name))),
    tokenId: jti,
    expiresAt: new Date(exp * 1000),
  })
}
