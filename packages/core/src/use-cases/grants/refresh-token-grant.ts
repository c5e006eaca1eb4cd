import type { AccessTokenRecord } from '../../domain/access-token.js'
import type { ClientRecord } from '../../domain/client.js'
import type { RefreshTokenRecord } from '../../domain/refresh-token.js'
import type { SigningKeyRecord } from '../../domain/signing-key.js'
import { OAuthError } from '../../errors/oauth-error.js'
import type { IssuanceStatus } from '../../ports/atomic-issuance.js'
import {
  clientRevokedDuringIssuance,
  commit,
  commitIssuance,
  type EventRecorder,
} from '../internal/commit.js'
import { signingKeyForIssuance } from '../internal/ensure-active-signing-key.js'
import {
  type GrantContext,
  type PreparedToken,
  prepareAccessToken,
  prepareRefreshToken,
  type TokenResponse,
  tokenLifetimes,
  tokenResponse,
} from '../internal/issue-tokens.js'
import { requireParameter } from '../internal/parameters.js'
import { findPresented, type PresentedCredential } from '../internal/read-with-client.js'
import { requestedScopes } from '../internal/requested-scopes.js'
import type { ServerContext } from '../internal/server-context.js'
import { addDays, addSeconds } from '../internal/time.js'

/**
 * Rotates a refresh token: the old one is marked used and a new pair is issued, atomically, through
 * the issuance port, while the client is live. A narrower `scope` narrows the access token only;
 * the refresh token keeps the grant's scopes, so it never widens.
 *
 * A token that was already rotated is a reuse: the whole family (refresh and access tokens) is
 * revoked and `OAuthRefreshTokenReuseDetected` emitted. One exception, `refreshTokenReuseGraceSeconds`:
 * a client retrying a lost response may present the token it just rotated once more, within that
 * many seconds of the rotation, while the token it was rotated into (the child) has never been
 * used. The child is then superseded (marked rotated and revoked, with its access token) and a
 * fresh pair hangs under it. Every other use conflicts with the branch that moved on and is a
 * reuse: presenting the superseded child, presenting the rotated token again after that retry, or
 * presenting it after the child was used or after the window. So whichever of two holders of one token moves second kills the
 * family; grace never hands a family over to one of them.
 *
 * @throws OAuthError `invalid_request`, `invalid_grant`, `invalid_scope`, `invalid_client` (client
 *   revoked meanwhile)
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 */
export async function refreshTokenGrant(
  context: ServerContext,
  client: ClientRecord,
  parameters: ReadonlyMap<string, string>,
  /** What the client lookup learnt about the token, when it read it along. */
  presented: PresentedCredential<RefreshTokenRecord> | null = null,
): Promise<TokenResponse> {
  const token = requireParameter(parameters, 'refresh_token')
  const found = await findPresented(context, token, presented, (hash) =>
    context.storage.repositories.refreshTokens.findByHash(hash),
  )
  const invalid = (description: string): OAuthError => OAuthError.invalidGrant({ description })
  if (!found || found.record.clientId !== client.id) throw invalid('The refresh token is invalid.')
  const record = found.record
  const now = context.clock.now()
  // Reuse is judged before anything else the request says, so no parameter can dodge detection.
  let spend = await tokenToSpend(context, record, now)
  if (now.getTime() >= record.expiresAt.getTime()) throw invalid('The refresh token has expired.')
  const familyLifetime = context.config.refreshTokenFamilyLifetimeDays
  if (familyLifetime !== null && now.getTime() >= addDays(record.familyCreatedAt, familyLifetime).getTime()) {
    throw invalid('The refresh token has reached the end of its lifetime; authorize again.')
  }
  // The client may have lost scopes since (`updateClient`): a refresh yields only those it still has.
  const stillAllowed = record.scopes.filter((scope) => client.allowedScopes.includes(scope))
  if (stillAllowed.length === 0 && record.scopes.length > 0) {
    throw OAuthError.invalidScope({ description: 'The client is no longer allowed any scope of this grant.' })
  }
  const scopes = requestedScopes(parameters.get('scope'), { allowed: stillAllowed, fallback: stillAllowed })
  const grant: GrantContext = {
    clientId: client.id,
    userId: record.userId,
    grantType: 'refresh_token',
    scopes,
    claims: record.claims,
    familyId: record.familyId,
    lifetimes: tokenLifetimes(context, client),
  }
  const signingKey = await signingKeyForIssuance(context)

  let fresh = await prepareTokens(context, grant, record, spend.token.id, signingKey, now)
  let status = await rotate(context, record, spend, fresh, now)
  if (status === 'already-used' && !spend.supersede) {
    // Lost a race against another rotation of the same token: judge it again, as the rotated token
    // it now is (a retry within grace, or a reuse).
    const latest = await context.storage.repositories.refreshTokens.findByHash(found.hash)
    spend = await tokenToSpend(context, latest ?? record, now)
    const refresh = { ...fresh.refresh, record: { ...fresh.refresh.record, parentId: spend.token.id } }
    fresh = { access: fresh.access, refresh }
    status = await rotate(context, record, spend, fresh, now)
  }
  if (status === 'already-used') return revokeReusedFamily(context, record)
  if (status === 'client-revoked') throw clientRevokedDuringIssuance()
  return tokenResponse(grant, fresh.access.token, scopes, fresh.refresh.token)
}

/** The token a rotation marks rotated: the presented one, or (a retry within grace) its child. */
interface Spend {
  readonly token: RefreshTokenRecord
  readonly supersede: boolean
}

/**
 * What presenting `record` may spend. An unrotated token spends itself (unless revoked). A rotated
 * one, revoked or not, is a reuse, which revokes the family; except once within the grace period,
 * while its child is unused: then the child is superseded.
 */
async function tokenToSpend(context: ServerContext, record: RefreshTokenRecord, now: Date): Promise<Spend> {
  if (record.rotatedAt === null) {
    if (record.revokedAt !== null) {
      throw OAuthError.invalidGrant({ description: 'The refresh token has been revoked.' })
    }
    return { token: record, supersede: false }
  }
  if (record.revokedAt === null && withinGrace(context, record, now)) {
    const child = await context.storage.repositories.refreshTokens.findByParentId(record.id)
    if (child && child.rotatedAt === null && child.revokedAt === null)
      return { token: child, supersede: true }
  }
  return revokeReusedFamily(context, record)
}

function rotate(
  context: ServerContext,
  presented: RefreshTokenRecord,
  spend: Spend,
  fresh: FreshTokens,
  now: Date,
): Promise<IssuanceStatus> {
  return commitIssuance(
    context,
    (events) => recordRotation(events, presented, fresh),
    (events) =>
      context.issuance.rotateRefreshToken({
        tokenHash: spend.token.tokenHash,
        now,
        accessToken: fresh.access.record,
        refreshToken: fresh.refresh.record,
        events,
        ...(spend.supersede ? { supersede: true } : {}),
      }),
  )
}

function withinGrace(context: ServerContext, record: RefreshTokenRecord, now: Date): boolean {
  const grace = context.config.refreshTokenReuseGraceSeconds
  return (
    grace > 0 && record.rotatedAt !== null && now.getTime() <= addSeconds(record.rotatedAt, grace).getTime()
  )
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
  parentId: string,
  signingKey: SigningKeyRecord | null,
  now: Date,
): Promise<FreshTokens> {
  const accessTokenId = context.random.uuid()
  const lineage = {
    familyId: record.familyId,
    parentId,
    familyCreatedAt: record.familyCreatedAt,
    scopes: record.scopes,
  }
  const [access, refresh] = await Promise.all([
    prepareAccessToken(context, grant, { id: accessTokenId, signingKey, now }),
    prepareRefreshToken(context, grant, lineage, { accessTokenId, now }),
  ])
  return { access, refresh }
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
