import { authenticateClient } from './internal/authenticate-client.js'
import type { ClientRequest } from './internal/http-request.js'
import { requireParameter } from './internal/parameters.js'
import type { ServerContext } from './internal/server-context.js'
import { type IntrospectionResponse, introspectToken } from './introspect-token.js'

/**
 * The introspection endpoint: authenticates the calling client, then introspects `token`.
 *
 * @throws OAuthError `invalid_request`, `invalid_client`
 * @see RFC 7662 §2.1
 */
export async function introspectTokenFromRequest(
  context: ServerContext,
  request: ClientRequest,
): Promise<IntrospectionResponse> {
  const { client, parameters } = await authenticateClient(context, request)
  const token = requireParameter(parameters, 'token')
  return introspectToken(context, {
    token,
    hint: parameters.get('token_type_hint'),
    callerClientId: client.id,
  })
}
