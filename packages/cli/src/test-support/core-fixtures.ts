// What the CLI cannot make but its commands act on (consents, tokens, expired rows), made through
// the core's facade on the same database, as the authorization server itself would.
import { createHash } from 'node:crypto'
import {
  type AuthorizationServer,
  type Clock,
  createAuthorizationServer,
  OAuthError,
  type Storage,
} from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { TEST_HASH_KEY } from './run-cli.js'

export const REDIRECT_URI = 'https://client.example.com/callback'

/** A server on `storage` hashing like the CLI with `SP_OAUTH_HASH_KEY=TEST_HASH_KEY` and `keyId`. */
export function serverOn(
  storage: Storage,
  options: { readonly keyId?: string; readonly clock?: Clock } = {},
) {
  return createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    crypto: nodeCrypto({ keys: [{ id: options.keyId ?? 'env', secret: TEST_HASH_KEY }] }),
    ...(options.clock ? { clock: options.clock } : {}),
  })
}

/**
 * The user signs in to the client (authorization code with PKCE, consent remembered) and the
 * client exchanges the code: a consent, an access token and a refresh token of the user.
 */
export async function signIn(
  server: AuthorizationServer,
  client: { readonly id: string; readonly secret: string },
  user: string,
): Promise<void> {
  const verifier = 'v'.repeat(43)
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })
  const approval = await server.approveAuthorizationRequest(request, user, {
    scopes: request.scopes,
    remember: true,
  })
  await server.issueTokenFromRequest({
    body: {
      grant_type: 'authorization_code',
      client_id: client.id,
      client_secret: client.secret,
      code: approval.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    },
  })
}

/**
 * Whether the client authenticates with this secret: a client_credentials grant (for the scope
 * `invoices.read`, which the client must be allowed) succeeds.
 */
export async function secretWorks(
  server: AuthorizationServer,
  client: { readonly id: string; readonly secret: string },
): Promise<boolean> {
  try {
    await server.issueTokenFromRequest({
      body: {
        grant_type: 'client_credentials',
        client_id: client.id,
        client_secret: client.secret,
        scope: 'invoices.read',
      },
    })
    return true
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_client') return false
    throw error
  }
}
