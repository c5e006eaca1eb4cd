import type { ClientRecord } from '../../domain/client.js'
import type { ClientAuthenticationFailedEvent } from '../../domain/events.js'
import { OAuthError } from '../../errors/oauth-error.js'
import { isClientId } from './client-id.js'
import { publishWithoutCommit } from './commit.js'
import type { ClientRequest } from './http-request.js'
import { readParameters } from './parameters.js'
import type { ServerContext } from './server-context.js'

/** How the client proved who it is (RFC 6749 §2.3, RFC 8414 token_endpoint_auth_methods). */
export type ClientAuthenticationMethod = 'client_secret_basic' | 'client_secret_post' | 'none'

export interface AuthenticatedClient {
  readonly client: ClientRecord
  readonly method: ClientAuthenticationMethod
  /** The body parameters, read once (duplicates refused). */
  readonly parameters: ReadonlyMap<string, string>
}

interface ClaimedCredentials {
  readonly clientId: string
  readonly secret: string | null
  readonly method: ClientAuthenticationMethod
}

/**
 * Authenticates the client of a token, revocation or introspection request: by HTTP Basic, by
 * `client_id` and `client_secret` in the body, or (a public client) by `client_id` alone. Using two
 * methods at once, or sending a secret in the query, is refused. Every failure is
 * `invalid_client` and publishes `OAuthClientAuthenticationFailed` to the event publisher only (in
 * process, never the outbox): a failure writes nothing to the database, so a flood of bad
 * credentials costs one indexed read each and stores nothing. The event names the client only
 * when it exists; an unknown id, chosen by whoever sent it, is never carried. The request's
 * `onClientAuthentication` hears the outcome first: it may end the request there (over a limit).
 *
 * @throws OAuthError `invalid_request` or `invalid_client`
 * @see RFC 6749 §2.3.1, §3.2.1
 */
export async function authenticateClient(
  context: ServerContext,
  request: ClientRequest,
  /** The body, when the caller has read it already. */
  parameters: ReadonlyMap<string, string> = readParameters(request.body),
  /** How the claimed client is read; a token request may read its credential along. */
  findClient: (clientId: string) => Promise<ClientRecord | null> = (clientId) =>
    context.storage.repositories.clients.findById(clientId),
): Promise<AuthenticatedClient> {
  const query = readParameters(request.query)
  if (query.has('client_secret')) {
    throw OAuthError.invalidRequest({
      description: 'The client secret must not be sent in the query string.',
    })
  }
  const decided = request.onClientAuthentication ?? (async () => {})
  let claimed: ClaimedCredentials
  try {
    claimed = readCredentials(parameters, request.authorization)
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_client') await decided('failure')
    throw error
  }
  const fail = async (
    reason: ClientAuthenticationFailedEvent['reason'],
    known: ClientRecord | null,
  ): Promise<never> => {
    await decided('failure')
    await publishWithoutCommit(context, (events) => {
      events.record({ type: 'OAuthClientAuthenticationFailed', clientId: known?.id ?? null, reason })
    })
    throw OAuthError.invalidClient({ description: 'Client authentication failed.' })
  }

  const client = isClientId(claimed.clientId) ? await findClient(claimed.clientId) : null
  if (!client) return fail('unknown_client', null)
  if (client.revokedAt) return fail('client_revoked', client)
  context.clientRevocations.noteLive(client.id)
  if (!client.confidential) {
    if (claimed.secret !== null) return fail('unexpected_secret', client)
    await decided('success')
    return { client, method: 'none', parameters }
  }
  if (claimed.secret === null) return fail('missing_secret', client)
  const stored = client.secretHash && client.secretHashKeyId
  const valid =
    stored &&
    (await context.hasher.verify(claimed.secret, {
      hash: client.secretHash!,
      keyId: client.secretHashKeyId!,
    }))
  if (!valid) return fail('invalid_secret', client)
  // Checked once the secret is: a wrong method then costs the same time as a wrong secret, so the
  // answer's timing does not tell which method a client is registered for.
  const registered = client.tokenEndpointAuthMethod
  if (registered !== null && registered !== claimed.method) return fail('wrong_method', client)
  await decided('success')
  return { client, method: claimed.method, parameters }
}

function readCredentials(
  parameters: ReadonlyMap<string, string>,
  authorization: string | undefined,
): ClaimedCredentials {
  const bodyClientId = parameters.get('client_id')
  const bodySecret = parameters.get('client_secret') ?? null
  if (authorization !== undefined && authorization !== '') {
    const basic = parseBasic(authorization)
    if (bodySecret !== null) {
      throw OAuthError.invalidRequest({ description: 'Use one client authentication method, not two.' })
    }
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
      throw OAuthError.invalidRequest({ description: 'client_id differs from the authenticated client.' })
    }
    return basic
  }
  if (bodyClientId === undefined) {
    throw OAuthError.invalidClient({ description: 'Client authentication is required.' })
  }
  return {
    clientId: bodyClientId,
    secret: bodySecret,
    method: bodySecret === null ? 'none' : 'client_secret_post',
  }
}

/**
 * Reads HTTP Basic credentials: both parts are form-urlencoded before base64 (RFC 6749 §2.3.1), so
 * they are decoded once more.
 */
export function parseBasic(authorization: string): ClaimedCredentials {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(authorization)
  const invalid = (): OAuthError => OAuthError.invalidClient({ description: 'Malformed Basic credentials.' })
  if (!match) throw invalid()
  let decoded: string
  try {
    const binary = atob(match[1]!)
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    )
  } catch {
    throw invalid()
  }
  const colon = decoded.indexOf(':')
  if (colon < 0) throw invalid()
  try {
    const clientId = formDecode(decoded.slice(0, colon))
    const secret = formDecode(decoded.slice(colon + 1))
    return { clientId, secret: secret === '' ? null : secret, method: 'client_secret_basic' }
  } catch {
    throw invalid()
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '))
}
