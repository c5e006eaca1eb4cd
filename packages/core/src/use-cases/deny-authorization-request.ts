import type { TransactionalRepositories } from '../ports/unit-of-work.js'
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
  return denyWithin(context, request, user, null)
}

/**
 * {@link denyAuthorizationRequest}, running `step` first in the same unit of work (consuming a
 * consent ticket): if it throws, nothing is recorded.
 */
export async function denyWithin(
  context: ServerContext,
  request: AuthorizationRequest,
  user: UserReference | null,
  step: ((repositories: TransactionalRepositories) => Promise<void>) | null,
): Promise<{ readonly redirectUrl: string }> {
  const userId = user === null ? null : userIdOf(user)
  await commit(context, async (repositories, events) => {
    if (step) await step(repositories)
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
