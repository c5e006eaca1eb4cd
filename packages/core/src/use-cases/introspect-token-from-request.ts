import { OAuthError } from '../errors/oauth-error.js'
import { authenticateClient } from './internal/authenticate-client.js'
import type { ClientRequest } from './internal/http-request.js'
import { requireParameter } from './internal/parameters.js'
import type { ServerContext } from './internal/server-context.js'
import { type IntrospectionResponse, introspectToken } from './introspect-token.js'

/**
 * The introspection endpoint: authenticates the calling client, which must be confidential, then
 * introspects `token` as that client may see it (another client's access token only for a
 * resource server).
 *
 * @throws OAuthError `invalid_request`, `invalid_client`
 * @see RFC 7662 §2.1
 */
export async function introspectTokenFromRequest(
  context: ServerContext,
  request: ClientRequest,
): Promise<IntrospectionResponse> {
  const { client, method, parameters } = await authenticateClient(context, request)
  // A public client proves nothing by naming its id, and client ids are not secret: answering it
  // would tell anyone the subject and scopes of any token (RFC 7662 §4).
  if (method === 'none') {
    throw OAuthError.invalidClient({
      description: 'Introspection needs an authenticated (confidential) client.',
    })
  }
  const token = requireParameter(parameters, 'token')
  return introspectToken(context, {
    token,
    hint: parameters.get('token_type_hint'),
    callerClientId: client.id,
    callerIsResourceServer: client.resourceServer,
  })
}
