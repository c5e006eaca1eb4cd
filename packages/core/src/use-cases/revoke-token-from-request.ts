import { authenticateClient } from './internal/authenticate-client.js'
import type { ClientRequest } from './internal/http-request.js'
import { requireParameter } from './internal/parameters.js'
import type { ServerContext } from './internal/server-context.js'
import { revokeToken } from './revoke-token.js'

/**
 * The revocation endpoint: authenticates the client, then revokes `token` if it was issued to
 * that client. Answers the same (nothing) whether or not the token existed.
 *
 * @throws OAuthError `invalid_request`, `invalid_client`, `unauthorized_client`
 * @see RFC 7009 §2.1, §2.2
 */
export async function revokeTokenFromRequest(context: ServerContext, request: ClientRequest): Promise<void> {
  const { client, parameters } = await authenticateClient(context, request)
  const token = requireParameter(parameters, 'token')
  await revokeToken(context, { token, hint: parameters.get('token_type_hint'), clientId: client.id })
}
