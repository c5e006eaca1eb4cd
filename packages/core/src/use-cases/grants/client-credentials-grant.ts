import type { ClientRecord } from '../../domain/client.js'
import { OAuthError } from '../../errors/oauth-error.js'
import { clientRevokedDuringIssuance, commitIssuance } from '../internal/commit.js'
import { signingKeyForIssuance } from '../internal/ensure-active-signing-key.js'
import {
  type GrantContext,
  prepareAccessToken,
  type TokenResponse,
  tokenLifetimes,
  tokenResponse,
} from '../internal/issue-tokens.js'
import { requestedScopes } from '../internal/requested-scopes.js'
import type { ServerContext } from '../internal/server-context.js'

/**
 * Issues an access token to a confidential client acting for itself: no user, no refresh token
 * (RFC 6749 §4.4.3). Without a `scope` parameter the client gets the default scopes it is allowed,
 * or all its allowed scopes when no defaults are configured. The token is stored only if the client
 * is still live when it commits (a client revoked meanwhile gets `invalid_client`).
 *
 * @throws OAuthError `unauthorized_client`, `invalid_scope`, `invalid_client`
 * @see RFC 6749 §4.4
 */
export async function clientCredentialsGrant(
  context: ServerContext,
  client: ClientRecord,
  parameters: ReadonlyMap<string, string>,
): Promise<TokenResponse> {
  if (!client.confidential) {
    throw OAuthError.unauthorizedClient({ description: 'Public clients cannot use client_credentials.' })
  }
  const fallback = context.config.defaultScopes
    ? context.config.defaultScopes.filter((scope) => client.allowedScopes.includes(scope))
    : client.allowedScopes
  const scopes = requestedScopes(parameters.get('scope'), { allowed: client.allowedScopes, fallback })
  const signingKey = await signingKeyForIssuance(context)
  const now = context.clock.now()
  const grant: GrantContext = {
    clientId: client.id,
    userId: null,
    grantType: 'client_credentials',
    scopes,
    claims: {},
    familyId: null,
    lifetimes: tokenLifetimes(context, client),
  }
  const access = await prepareAccessToken(context, grant, { id: context.random.uuid(), signingKey, now })
  const status = await commitIssuance(
    context,
    (events) =>
      events.record({
        type: 'OAuthTokenIssued',
        clientId: client.id,
        userId: null,
        grantType: 'client_credentials',
        scopes,
        accessTokenId: access.record.id,
        refreshTokenId: null,
        familyId: null,
      }),
    (events) =>
      context.issuance.issueAccessToken({ accessToken: access.record, refreshToken: null, events, now }),
  )
  if (status !== 'issued') throw clientRevokedDuringIssuance()
  return tokenResponse(grant, access.token, scopes, null)
}
