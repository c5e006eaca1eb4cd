import { constantTimeEqual } from '../../crypto/constant-time-equal.js'
import type { AuthorizationCodeRecord } from '../../domain/authorization-code.js'
import type { ClientRecord } from '../../domain/client.js'
import { isPkceValue } from '../../domain/pkce.js'
import { matchRedirectUri } from '../../domain/redirect-uri.js'
import { OAuthError } from '../../errors/oauth-error.js'
import {
  clientRevokedDuringIssuance,
  commit,
  commitIssuance,
  type EventRecorder,
} from '../internal/commit.js'
import { signingKeyForIssuance } from '../internal/ensure-active-signing-key.js'
import {
  prepareAccessToken,
  prepareRefreshToken,
  type TokenResponse,
  tokenLifetimes,
  tokenResponse,
} from '../internal/issue-tokens.js'
import { requireParameter } from '../internal/parameters.js'
import { findPresented, type PresentedCredential } from '../internal/read-with-client.js'
import type { ServerContext } from '../internal/server-context.js'

/**
 * Exchanges an authorization code for tokens. The code is checked first (client, expiry, redirect
 * URI, PKCE) without changing anything, then consumed atomically together with issuing the tokens,
 * through the issuance port, while the client is live.
 * A code that was already redeemed revokes every token of its grant (RFC 6749 §4.1.2,
 * RFC 9700 §4.2.4) and fails.
 *
 * @throws OAuthError `invalid_request`, `invalid_grant`, `invalid_client` (client revoked meanwhile)
 * @see RFC 6749 §4.1.3, RFC 7636 §4.6
 */
export async function authorizationCodeGrant(
  context: ServerContext,
  client: ClientRecord,
  parameters: ReadonlyMap<string, string>,
  /** What the client lookup learnt about the code, when it read it along. */
  presented: PresentedCredential<AuthorizationCodeRecord> | null = null,
): Promise<TokenResponse> {
  const code = requireParameter(parameters, 'code')
  const found = await findPresented(context, code, presented, (hash) =>
    context.storage.repositories.authorizationCodes.findByHash(hash),
  )
  const invalid = (description: string): OAuthError => OAuthError.invalidGrant({ description })
  // A code of another client is answered like an unknown code, and is left alone.
  if (!found || found.record.clientId !== client.id) throw invalid('The authorization code is invalid.')
  const record = found.record
  if (record.consumedAt !== null) return revokeReplayedGrant(context, record)
  const now = context.clock.now()
  if (now.getTime() >= record.expiresAt.getTime()) throw invalid('The authorization code has expired.')
  checkRedirectUri(record, parameters.get('redirect_uri'))
  // The client may have changed since the code was issued (`updateClient`): a redirect URI no
  // longer registered redeems nothing, and only the scopes it is still allowed are issued.
  if (!matchRedirectUri(record.redirectUri, client.redirectUris, client)) {
    throw invalid('The redirect URI of the authorization request is no longer registered for the client.')
  }
  const scopes = record.scopes.filter((scope) => client.allowedScopes.includes(scope))
  if (scopes.length === 0 && record.scopes.length > 0) {
    throw OAuthError.invalidScope({ description: 'The client is no longer allowed any scope of this grant.' })
  }

  const signingKey = await signingKeyForIssuance(context)
  const grant = {
    clientId: client.id,
    userId: record.userId,
    grantType: 'authorization_code' as const,
    scopes,
    claims: record.claims,
    familyId: record.grantId,
    lifetimes: tokenLifetimes(context, client),
  }
  const accessTokenId = context.random.uuid()
  const lineage = { familyId: record.grantId, parentId: null, familyCreatedAt: now, scopes }
  // The verifier check and the new tokens' crypto are independent: run them side by side, and
  // only then issue, so no transaction is held open across any of it.
  const [, access, refresh] = await Promise.all([
    checkCodeVerifier(context, record, parameters.get('code_verifier')),
    prepareAccessToken(context, grant, { id: accessTokenId, signingKey, now }),
    client.allowedGrants.includes('refresh_token')
      ? prepareRefreshToken(context, grant, lineage, { accessTokenId, now })
      : null,
  ])
  const recordIssued = (events: EventRecorder): void =>
    events.record({
      type: 'OAuthTokenIssued',
      clientId: client.id,
      userId: record.userId,
      grantType: 'authorization_code',
      scopes,
      accessTokenId: access.record.id,
      refreshTokenId: refresh?.record.id ?? null,
      familyId: record.grantId,
    })
  const status = await commitIssuance(context, recordIssued, (events) =>
    context.issuance.redeemCode({
      codeHash: found.hash,
      now,
      accessToken: access.record,
      refreshToken: refresh?.record ?? null,
      events,
    }),
  )
  if (status === 'already-used') return revokeReplayedGrant(context, record)
  if (status === 'client-revoked') throw clientRevokedDuringIssuance()
  return tokenResponse(grant, access.token, scopes, refresh?.token ?? null)
}

/** The redirect URI must repeat the one of the authorization request, exactly (RFC 6749 §4.1.3). */
function checkRedirectUri(record: AuthorizationCodeRecord, redirectUri: string | undefined): void {
  if (redirectUri === undefined && !record.redirectUriExplicit) return
  if (redirectUri !== record.redirectUri) {
    throw OAuthError.invalidGrant({ description: 'redirect_uri does not match the authorization request.' })
  }
}

/**
 * The verifier must match the challenge the code was bound to; and a code issued without a
 * challenge must not be redeemed with a verifier (a PKCE downgrade, RFC 9700 §2.1.1).
 */
async function checkCodeVerifier(
  context: ServerContext,
  record: AuthorizationCodeRecord,
  verifier: string | undefined,
): Promise<void> {
  if (record.codeChallenge === null) {
    if (verifier !== undefined) {
      throw OAuthError.invalidGrant({
        description: 'code_verifier sent for a code issued without code_challenge.',
      })
    }
    return
  }
  if (verifier === undefined) throw OAuthError.invalidGrant({ description: 'code_verifier is required.' })
  if (!isPkceValue(verifier)) {
    throw OAuthError.invalidGrant({ description: 'code_verifier must be 43-128 unreserved characters.' })
  }
  // Both methods store BASE64URL(SHA-256(verifier)): a plain challenge is hashed when stored.
  const computed = await context.sha256.base64Url(verifier)
  if (!constantTimeEqual(computed, record.codeChallenge)) {
    throw OAuthError.invalidGrant({ description: 'code_verifier does not match the code_challenge.' })
  }
}

/** A redeemed code came back: revoke everything its grant issued, commit that, then refuse. */
async function revokeReplayedGrant(context: ServerContext, record: AuthorizationCodeRecord): Promise<never> {
  const now = context.clock.now()
  await commit(context, async (repositories, events) => {
    await repositories.refreshTokens.revokeFamily(record.grantId, now)
    await repositories.accessTokens.revokeFamily(record.grantId, now)
    events.record({
      type: 'OAuthAuthorizationCodeReplayDetected',
      clientId: record.clientId,
      grantId: record.grantId,
    })
  })
  throw OAuthError.invalidGrant({ description: 'The authorization code has already been used.' })
}
