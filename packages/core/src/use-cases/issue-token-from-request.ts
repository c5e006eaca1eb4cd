import { isGrantType } from '../domain/grant-type.js'
import { OAuthError } from '../errors/oauth-error.js'
import { authorizationCodeGrant } from './grants/authorization-code-grant.js'
import { clientCredentialsGrant } from './grants/client-credentials-grant.js'
import { refreshTokenGrant } from './grants/refresh-token-grant.js'
import { authenticateClient } from './internal/authenticate-client.js'
import type { ClientRequest } from './internal/http-request.js'
import type { TokenResponse } from './internal/issue-tokens.js'
import { readParameters, requireParameter } from './internal/parameters.js'
import { readWithClient } from './internal/read-with-client.js'
import type { ServerContext } from './internal/server-context.js'

/**
 * The token endpoint: authenticates the client, then runs the grant it asks for
 * (`authorization_code`, `refresh_token` or `client_credentials`), if the client is allowed it.
 *
 * @throws OAuthError `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
 *   `unsupported_grant_type`, `invalid_scope`
 * @see RFC 6749 §3.2, §4.1.3, §4.4.2, §6
 */
export async function issueTokenFromRequest(
  context: ServerContext,
  request: ClientRequest,
): Promise<TokenResponse> {
  // Read (and refuse duplicates) before authenticating, so a malformed request costs no lookup.
  const body = readParameters(request.body)
  const grantType = requireParameter(body, 'grant_type')
  if (!isGrantType(grantType)) {
    throw OAuthError.unsupportedGrantType({ description: 'The grant_type is not supported.' })
  }
  const repositories = context.storage.repositories
  const code =
    grantType === 'authorization_code'
      ? readWithClient(context, body.get('code'), repositories.authorizationCodes)
      : null
  const refreshToken =
    grantType === 'refresh_token'
      ? readWithClient(context, body.get('refresh_token'), repositories.refreshTokens)
      : null
  const findClient = (code ?? refreshToken)?.findClient
  const { client, parameters } = await authenticateClient(context, request, body, findClient)
  if (!client.allowedGrants.includes(grantType)) {
    throw OAuthError.unauthorizedClient({ description: `The client may not use the ${grantType} grant.` })
  }
  switch (grantType) {
    case 'authorization_code':
      return authorizationCodeGrant(context, client, parameters, code?.presented() ?? null)
    case 'refresh_token':
      return refreshTokenGrant(context, client, parameters, refreshToken?.presented() ?? null)
    case 'client_credentials':
      return clientCredentialsGrant(context, client, parameters)
  }
}
