import { authorizationResponseUrl } from './internal/authorization-response-url.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'
import { type UserReference, userIdOf } from './internal/user-id.js'
import type { AuthorizationRequest } from './validate-authorization-request.js'

/**
 * The user said no: returns the client's redirect URI with `error=access_denied`, `state` and `iss`.
 *
 * @see RFC 6749 §4.1.2.1
 */
export async function denyAuthorizationRequest(
  context: ServerContext,
  request: AuthorizationRequest,
  user: UserReference | null = null,
): Promise<{ readonly redirectUrl: string }> {
  const userId = user === null ? null : userIdOf(user)
  await commit(context, async (_repositories, events) => {
    events.record({ type: 'OAuthAuthorizationDenied', clientId: request.client.id, userId })
  })
  return {
    redirectUrl: authorizationResponseUrl(
      request.redirectUri,
      { error: 'access_denied', error_description: 'The user denied the request.', state: request.state },
      context.config.issuer,
    ),
  }
}
