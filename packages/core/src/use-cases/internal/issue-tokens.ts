import type { AccessTokenRecord } from '../../domain/access-token.js'
import type { GrantType } from '../../domain/grant-type.js'
import { formatOpaqueToken, OPAQUE_TOKEN_BYTES } from '../../domain/opaque-token.js'
import type { RefreshTokenRecord } from '../../domain/refresh-token.js'
import { formatScope } from '../../domain/scope.js'
import type { SigningKeyRecord } from '../../domain/signing-key.js'
import type { TransactionalRepositories } from '../../ports/unit-of-work.js'
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

/**
 * Creates and stores an access token in the configured format; returns it with its record.
 * `signingKey` comes from {@link signingKeyForIssuance}, fetched before the unit of work starts.
 */
export async function issueAccessToken(
  context: ServerContext,
  repositories: TransactionalRepositories,
  grant: GrantContext,
  signingKey: SigningKeyRecord | null,
  now: Date,
): Promise<{ readonly token: string; readonly record: AccessTokenRecord }> {
  const { config } = context
  const id = context.random.uuid()
  const expiresAt = addMinutes(now, config.accessTokenTtlMinutes)
  const base = {
    id,
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
  if (signingKey) {
    const token = await context.jwtSigner.sign(
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
    const record: AccessTokenRecord = { ...base, format: 'jwt', tokenHash: null, hashKeyId: null }
    await repositories.accessTokens.insert(record)
    return { token, record }
  }
  const token = formatOpaqueToken(config.accessTokenPrefix, context.random.bytes(OPAQUE_TOKEN_BYTES))
  const { hash, keyId } = await context.hasher.hash(token)
  const record: AccessTokenRecord = { ...base, format: 'opaque', tokenHash: hash, hashKeyId: keyId }
  await repositories.accessTokens.insert(record)
  return { token, record }
}

function publicClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !RESERVED_JWT_CLAIMS.has(name)))
}

/** Where a new refresh token sits in its family. */
export interface RefreshLineage {
  readonly familyId: string
  readonly parentId: string | null
  readonly familyCreatedAt: Date
  /** The scopes of the original grant, which every rotation keeps. */
  readonly scopes: readonly string[]
}

/** Creates and stores a refresh token; returns it with its record. */
export async function issueRefreshToken(
  context: ServerContext,
  repositories: TransactionalRepositories,
  grant: GrantContext,
  lineage: RefreshLineage,
  accessTokenId: string,
  now: Date,
): Promise<{ readonly token: string; readonly record: RefreshTokenRecord }> {
  const token = formatOpaqueToken(context.config.refreshTokenPrefix, context.random.bytes(OPAQUE_TOKEN_BYTES))
  const { hash, keyId } = await context.hasher.hash(token)
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
    accessTokenId,
    familyCreatedAt: lineage.familyCreatedAt,
    createdAt: now,
    expiresAt: addDays(now, context.config.refreshTokenTtlDays),
    rotatedAt: null,
    revokedAt: null,
  }
  await repositories.refreshTokens.insert(record)
  return { token, record }
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
  context: ServerContext,
  accessToken: string,
  scopes: readonly string[],
  refreshToken: string | null,
): TokenResponse {
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: context.config.accessTokenTtlMinutes * 60,
    scope: formatScope(scopes),
    scopes,
    ...(refreshToken === null ? {} : { refresh_token: refreshToken }),
  }
}
