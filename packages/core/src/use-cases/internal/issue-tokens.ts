import type { AccessTokenRecord } from '../../domain/access-token.js'
import type { ClientRecord } from '../../domain/client.js'
import type { GrantType } from '../../domain/grant-type.js'
import { formatOpaqueToken, OPAQUE_TOKEN_BYTES } from '../../domain/opaque-token.js'
import type { RefreshTokenRecord } from '../../domain/refresh-token.js'
import { formatScope } from '../../domain/scope.js'
import type { SigningKeyRecord } from '../../domain/signing-key.js'
import type { ServerContext } from './server-context.js'
import { addDays, addMinutes, epochSeconds } from './time.js'

/** What a token is issued for. */
export interface GrantContext {
  readonly clientId: string
  readonly userId: string | null
  readonly grantType: GrantType
  readonly scopes: readonly string[]
  readonly claims: Readonly<Record<string, unknown>>
  /** The refresh family (grant); `null` for client_credentials. */
  readonly familyId: string | null
  /** How long the tokens live: the client's lifetimes, or the server's (see {@link tokenLifetimes}). */
  readonly lifetimes: TokenLifetimes
}

/** How long the tokens of one grant live. */
export interface TokenLifetimes {
  readonly accessTokenTtlMinutes: number
  readonly refreshTokenTtlDays: number
}

/**
 * The client's own token lifetimes where it has them, the server's otherwise, and never longer
 * than the server's (which may have been lowered since the client's were set): signing key
 * retirement counts on no access token outliving the server's lifetime.
 */
export function tokenLifetimes(
  context: ServerContext,
  client: Pick<ClientRecord, 'accessTokenTtlMinutes' | 'refreshTokenTtlDays'>,
): TokenLifetimes {
  const { accessTokenTtlMinutes, refreshTokenTtlDays } = context.config
  return {
    accessTokenTtlMinutes: Math.min(
      client.accessTokenTtlMinutes ?? accessTokenTtlMinutes,
      accessTokenTtlMinutes,
    ),
    refreshTokenTtlDays: Math.min(client.refreshTokenTtlDays ?? refreshTokenTtlDays, refreshTokenTtlDays),
  }
}

/** Claims a consent may not override in a JWT access token: RFC 9068 §2.2 and our own. */
export const RESERVED_JWT_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'client_id',
  'scope',
  'gty',
])

/** A new token: the plaintext to hand out once, and the record to store. */
export interface PreparedToken<R> {
  readonly token: string
  readonly record: R
}

/**
 * Creates an access token in the configured format, with its record, ready to insert. All the
 * crypto (hashing or signing) happens here, before the unit of work, so no transaction is held
 * open across it. `signingKey` comes from `signingKeyForIssuance`.
 */
export async function prepareAccessToken(
  context: ServerContext,
  grant: GrantContext,
  token: { readonly id: string; readonly signingKey: SigningKeyRecord | null; readonly now: Date },
): Promise<PreparedToken<AccessTokenRecord>> {
  const { config } = context
  const { id, signingKey, now } = token
  const expiresAt = addMinutes(now, grant.lifetimes.accessTokenTtlMinutes)
  let plaintext: string
  let tokenHash: string | null = null
  let hashKeyId: string | null = null
  if (signingKey) {
    plaintext = await context.jwtSigner.sign(
      {
        ...publicClaims(grant.claims),
        iss: config.issuer,
        sub: grant.userId ?? grant.clientId,
        aud: config.jwtAudience,
        exp: epochSeconds(expiresAt),
        iat: epochSeconds(now),
        jti: id,
        client_id: grant.clientId,
        scope: formatScope(grant.scopes),
        gty: grant.grantType,
      },
      signingKey,
    )
  } else {
    plaintext = formatOpaqueToken(config.accessTokenPrefix, context.random.bytes(OPAQUE_TOKEN_BYTES))
    const hashed = await context.hasher.hash(plaintext)
    tokenHash = hashed.hash
    hashKeyId = hashed.keyId
  }
  // Built field by field: a spread here costs more than the rest of the record.
  const record: AccessTokenRecord = {
    id,
    tokenHash,
    hashKeyId,
    format: signingKey ? 'jwt' : 'opaque',
    clientId: grant.clientId,
    userId: grant.userId,
    grantType: grant.grantType,
    scopes: grant.scopes,
    claims: grant.claims,
    familyId: grant.familyId,
    createdAt: now,
    expiresAt,
    revokedAt: null,
  }
  return { token: plaintext, record }
}

function publicClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const name of Object.keys(claims)) {
    if (!RESERVED_JWT_CLAIMS.has(name)) result[name] = claims[name]
  }
  return result
}

/** Where a new refresh token sits in its family. */
export interface RefreshLineage {
  readonly familyId: string
  readonly parentId: string | null
  readonly familyCreatedAt: Date
  /** The scopes of the original grant, which every rotation keeps. */
  readonly scopes: readonly string[]
}

/** Creates a refresh token with its record, ready to insert; hashing happens here, before the unit of work. */
export async function prepareRefreshToken(
  context: ServerContext,
  grant: GrantContext,
  lineage: RefreshLineage,
  token: { readonly accessTokenId: string; readonly now: Date },
): Promise<PreparedToken<RefreshTokenRecord>> {
  const { now } = token
  const plaintext = formatOpaqueToken(
    context.config.refreshTokenPrefix,
    context.random.bytes(OPAQUE_TOKEN_BYTES),
  )
  const { hash, keyId } = await context.hasher.hash(plaintext)
  const record: RefreshTokenRecord = {
    id: context.random.uuid(),
    tokenHash: hash,
    hashKeyId: keyId,
    familyId: lineage.familyId,
    parentId: lineage.parentId,
    clientId: grant.clientId,
    userId: grant.userId,
    scopes: lineage.scopes,
    claims: grant.claims,
    accessTokenId: token.accessTokenId,
    familyCreatedAt: lineage.familyCreatedAt,
    createdAt: now,
    expiresAt: addDays(now, grant.lifetimes.refreshTokenTtlDays),
    rotatedAt: null,
    revokedAt: null,
  }
  return { token: plaintext, record }
}

/** The body of a successful token response (RFC 6749 §5.1), with the seed's `scopes` array too. */
export interface TokenResponse {
  readonly access_token: string
  readonly token_type: 'Bearer'
  readonly expires_in: number
  /** Space-delimited, as RFC 6749 §5.1 defines it. */
  readonly scope: string
  /** The same scopes as an array, as the seed returns them. */
  readonly scopes: readonly string[]
  readonly refresh_token?: string
}

export function tokenResponse(
  grant: GrantContext,
  accessToken: string,
  scopes: readonly string[],
  refreshToken: string | null,
): TokenResponse {
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: grant.lifetimes.accessTokenTtlMinutes * 60,
    scope: formatScope(scopes),
    scopes,
    ...(refreshToken === null ? {} : { refresh_token: refreshToken }),
  }
}
