import type { AccessTokenRecord } from '../../domain/access-token.js'
import type { ClientRecord } from '../../domain/client.js'
import type { RefreshTokenRecord } from '../../domain/refresh-token.js'
import type { SigningKeyRecord } from '../../domain/signing-key.js'
import { OAuthError } from '../../errors/oauth-error.js'
import type { Repositories } from '../../ports/unit-of-work.js'
import { commit, commitAtomicStep, type EventRecorder } from '../internal/commit.js'
import { signingKeyForIssuance } from '../internal/ensure-active-signing-key.js'
import { findByHash } from '../internal/find-by-hash.js'
import {
  type GrantContext,
  type PreparedToken,
  prepareAccessToken,
  prepareRefreshToken,
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
  if (record.rotatedAt !== null && !withinGrace(context, record, now))
    return revokeReusedFamily(context, record)
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

  const fresh = await prepareTokens(context, grant, record, signingKey, now)
  if (record.rotatedAt !== null) return retryWithinGrace(context, record, fresh)
  try {
    const issuance = context.storage.atomicIssuance
    if (issuance) {
      const rotated = await commitAtomicStep(
        context,
        issuance.eventsGoToOutbox,
        (events) => recordRotation(events, record, fresh),
        (events) =>
          issuance.rotateRefreshToken({
            tokenHash: found.hash,
            now,
            accessToken: fresh.access.record,
            refreshToken: fresh.refresh.record,
            events,
          }),
      )
      if (!rotated) throw new AlreadyRotated()
      return tokenResponse(context, fresh.access.token, scopes, fresh.refresh.token)
    }
    return await commit(context, async (repositories, events) => {
      if (!(await repositories.refreshTokens.markRotated(found.hash, now))) throw new AlreadyRotated()
      await insertTokens(repositories, fresh)
      recordRotation(events, record, fresh)
      return tokenResponse(context, fresh.access.token, scopes, fresh.refresh.token)
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
      return retryWithinGrace(context, latest, fresh)
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
  fresh: FreshTokens,
): Promise<TokenResponse> {
  const child = await context.storage.repositories.refreshTokens.findByParentId(record.id)
  if (!child || child.rotatedAt !== null || child.revokedAt !== null)
    return revokeReusedFamily(context, record)
  const now = context.clock.now()
  // The replacement hangs under the child it replaces, so a token never has two live children and
  // a second retry finds a revoked child: a reuse.
  const replacement = { ...fresh.refresh.record, parentId: child.id }
  try {
    return await commit(context, async (repositories, events) => {
      if (!(await repositories.refreshTokens.revoke(child.id, now))) throw new AlreadyRotated()
      if (child.accessTokenId) await repositories.accessTokens.revoke(child.accessTokenId, now)
      await insertTokens(repositories, {
        access: fresh.access,
        refresh: { ...fresh.refresh, record: replacement },
      })
      recordRotation(events, record, fresh)
      return tokenResponse(context, fresh.access.token, fresh.access.record.scopes, fresh.refresh.token)
    })
  } catch (error) {
    if (error instanceof AlreadyRotated) return revokeReusedFamily(context, record)
    throw error
  }
}

/** The pair a rotation hands out, hashed before the unit of work opens. */
interface FreshTokens {
  readonly access: PreparedToken<AccessTokenRecord>
  readonly refresh: PreparedToken<RefreshTokenRecord>
}

async function prepareTokens(
  context: ServerContext,
  grant: GrantContext,
  record: RefreshTokenRecord,
  signingKey: SigningKeyRecord | null,
  now: Date,
): Promise<FreshTokens> {
  const accessTokenId = context.random.uuid()
  const [access, refresh] = await Promise.all([
    prepareAccessToken(context, grant, { id: accessTokenId, signingKey, now }),
    prepareRefreshToken(context, grant, lineageOf(record), { accessTokenId, now }),
  ])
  return { access, refresh }
}

async function insertTokens(repositories: Repositories, fresh: FreshTokens): Promise<void> {
  await repositories.accessTokens.insert(fresh.access.record)
  await repositories.refreshTokens.insert(fresh.refresh.record)
}

function lineageOf(record: RefreshTokenRecord) {
  return {
    familyId: record.familyId,
    parentId: record.id,
    familyCreatedAt: record.familyCreatedAt,
    scopes: record.scopes,
  }
}

function recordRotation(events: EventRecorder, previous: RefreshTokenRecord, fresh: FreshTokens): void {
  events.record({
    type: 'OAuthRefreshTokenRotated',
    clientId: previous.clientId,
    familyId: previous.familyId,
    previousTokenId: previous.id,
    refreshTokenId: fresh.refresh.record.id,
  })
  events.record({
    type: 'OAuthTokenIssued',
    clientId: previous.clientId,
    userId: previous.userId,
    grantType: 'refresh_token',
    scopes: fresh.access.record.scopes,
    accessTokenId: fresh.access.record.id,
    refreshTokenId: fresh.refresh.record.id,
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
