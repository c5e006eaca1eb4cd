import type { ClientRecord } from '../../domain/client.js'
import type { RefreshTokenRecord } from '../../domain/refresh-token.js'
import type { SigningKeyRecord } from '../../domain/signing-key.js'
import { OAuthError } from '../../errors/oauth-error.js'
import { commit, type EventRecorder } from '../internal/commit.js'
import { signingKeyForIssuance } from '../internal/ensure-active-signing-key.js'
import { findByHash } from '../internal/find-by-hash.js'
import {
  type GrantContext,
  issueAccessToken,
  issueRefreshToken,
  type TokenResponse,
  tokenResponse,
} from '../internal/issue-tokens.js'
import { requireParameter } from '../internal/parameters.js'
import { requestedScopes } from '../internal/requested-scopes.js'
import type { ServerContext } from '../internal/server-context.js'
import { addDays, addSeconds } from '../internal/time.js'

/** Thrown inside the unit of work when the token was rotated or revoked concurrently. */
class AlreadyRotated extends Error {}

/**
 * Rotates a refresh token: the old one is marked used and a new pair is issued, atomically. A
 * token that was already rotated is a reuse: the whole family (refresh and access tokens) is
 * revoked, unless the reuse falls within `refreshTokenReuseGraceSeconds` of the rotation and the
 * token it was rotated into is still unused, which is a client retrying a lost response: that
 * child is revoked and a fresh pair issued in its place. A narrower `scope` narrows the access
 * token only; the refresh token keeps the grant's scopes, so it never widens.
 *
 * @throws OAuthError `invalid_request`, `invalid_grant`, `invalid_scope`
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 */
export async function refreshTokenGrant(
  context: ServerContext,
  client: ClientRecord,
  parameters: ReadonlyMap<string, string>,
): Promise<TokenResponse> {
  const token = requireParameter(parameters, 'refresh_token')
  const found = await findByHash(context, token, (hash) =>
    context.storage.repositories.refreshTokens.findByHash(hash),
  )
  const invalid = (description: string): OAuthError => OAuthError.invalidGrant({ description })
  if (!found || found.record.clientId !== client.id) throw invalid('The refresh token is invalid.')
  const record = found.record
  const now = context.clock.now()
  if (record.revokedAt !== null) throw invalid('The refresh token has been revoked.')
  // Reuse is judged before anything else the request says, so no parameter can dodge detection.
  if (record.rotatedAt !== null && !withinGrace(context, record, now)) return revokeReusedFamily(context, record)
  if (now.getTime() >= record.expiresAt.getTime()) throw invalid('The refresh token has expired.')
  const familyLifetime = context.config.refreshTokenFamilyLifetimeDays
  if (familyLifetime !== null && now.getTime() >= addDays(record.familyCreatedAt, familyLifetime).getTime()) {
    throw invalid('The refresh token has reached the end of its lifetime; authorize again.')
  }
  const scopes = requestedScopes(parameters.get('scope'), { allowed: record.scopes, fallback: record.scopes })
  const grant: GrantContext = {
    clientId: client.id,
    userId: record.userId,
    grantType: 'refresh_token',
    scopes,
    claims: record.claims,
    familyId: record.familyId,
  }
  const signingKey = await signingKeyForIssuance(context)

  if (record.rotatedAt !== null) return retryWithinGrace(context, record, grant, signingKey, now)
  try {
    return await commit(context, async (repositories, events) => {
      if (!(await repositories.refreshTokens.markRotated(found.hash, now))) throw new AlreadyRotated()
      const access = await issueAccessToken(context, repositories, grant, signingKey, now)
      const refresh = await issueRefreshToken(
        context,
        repositories,
        grant,
        lineageOf(record),
        access.record.id,
        now,
      )
      recordRotation(events, record, access.record.id, refresh.record.id, scopes)
      return tokenResponse(context, access.token, scopes, refresh.token)
    })
  } catch (error) {
    if (!(error instanceof AlreadyRotated)) throw error
    // Lost a race against another rotation of the same token: judge it as the reuse it is.
    const latest = await context.storage.repositories.refreshTokens.findByHash(found.hash)
    if (
      latest &&
      latest.rotatedAt !== null &&
      latest.revokedAt === null &&
      withinGrace(context, latest, now)
    ) {
      return retryWithinGrace(context, latest, grant, signingKey, now)
    }
    return revokeReusedFamily(context, record)
  }
}

function withinGrace(context: ServerContext, record: RefreshTokenRecord, now: Date): boolean {
  const grace = context.config.refreshTokenReuseGraceSeconds
  return (
    grace > 0 && record.rotatedAt !== null && now.getTime() <= addSeconds(record.rotatedAt, grace).getTime()
  )
}

/**
 * The client sent a just-rotated token again. If the token it got in exchange is still unused, the
 * client most likely never received it: revoke it (and its access token) and issue a new pair, so
 * one live branch remains. Otherwise it is a reuse.
 */
async function retryWithinGrace(
  context: ServerContext,
  record: RefreshTokenRecord,
  grant: GrantContext,
  signingKey: SigningKeyRecord | null,
  now: Date,
): Promise<TokenResponse> {
  const child = await context.storage.repositories.refreshTokens.findByParentId(record.id)
  if (!child || child.rotatedAt !== null || child.revokedAt !== null)
    return revokeReusedFamily(context, record)
  try {
    return await commit(context, async (repositories, events) => {
      if (!(await repositories.refreshTokens.revoke(child.id, now))) throw new AlreadyRotated()
      if (child.accessTokenId) await repositories.accessTokens.revoke(child.accessTokenId, now)
      const access = await issueAccessToken(context, repositories, grant, signingKey, now)
      const refresh = await issueRefreshToken(
        context,
        repositories,
        grant,
        lineageOf(child),
        access.record.id,
        now,
      )
      recordRotation(events, record, access.record.id, refresh.record.id, grant.scopes)
      return tokenResponse(context, access.token, grant.scopes, refresh.token)
    })
  } catch (error) {
    if (error instanceof AlreadyRotated) return revokeReusedFamily(context, record)
    throw error
  }
}

function lineageOf(record: RefreshTokenRecord) {
  return {
    familyId: record.familyId,
    parentId: record.id,
    familyCreatedAt: record.familyCreatedAt,
    scopes: record.scopes,
  }
}

function recordRotation(
  events: EventRecorder,
  previous: RefreshTokenRecord,
  accessTokenId: string,
  refreshTokenId: string,
  scopes: readonly string[],
): void {
  events.record({
    type: 'OAuthRefreshTokenRotated',
    clientId: previous.clientId,
    familyId: previous.familyId,
    previousTokenId: previous.id,
    refreshTokenId,
  })
  events.record({
    type: 'OAuthTokenIssued',
    clientId: previous.clientId,
    userId: previous.userId,
    grantType: 'refresh_token',
    scopes,
    accessTokenId,
    refreshTokenId,
    familyId: previous.familyId,
  })
}

/** A rotated token came back: revoke its whole family, commit that, then refuse (RFC 9700 §4.14.2). */
async function revokeReusedFamily(context: ServerContext, record: RefreshTokenRecord): Promise<never> {
  const now = context.clock.now()
  await commit(context, async (repositories, events) => {
    await repositories.refreshTokens.revokeFamily(record.familyId, now)
    await repositories.accessTokens.revokeFamily(record.familyId, now)
    events.record({
      type: 'OAuthRefreshTokenReuseDetected',
      clientId: record.clientId,
      familyId: record.familyId,
      tokenId: record.id,
    })
  })
  throw OAuthError.invalidGrant({ description: 'The refresh token has already been used.' })
}
