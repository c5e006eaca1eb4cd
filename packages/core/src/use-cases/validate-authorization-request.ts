import type { CodeChallengeMethod } from '../domain/authorization-code.js'
import { type Client, toClient } from '../domain/client.js'
import { isCodeChallengeMethod, isPkceValue } from '../domain/pkce.js'
import { matchRedirectUri } from '../domain/redirect-uri.js'
import { OAuthError } from '../errors/oauth-error.js'
import { isClientId } from './internal/client-id.js'
import { type ParameterInput, readParameters } from './internal/parameters.js'
import { requestedScopes } from './internal/requested-scopes.js'
import type { ServerContext } from './internal/server-context.js'

/** A validated authorization request: what the consent screen shows and approval needs. */
export interface AuthorizationRequest {
  readonly client: Client
  readonly redirectUri: string
  /** Whether `redirect_uri` was sent (it must then be repeated at the token endpoint). */
  readonly redirectUriExplicit: boolean
  readonly responseType: 'code'
  readonly scopes: readonly string[]
  readonly state: string | null
  readonly codeChallenge: string | null
  readonly codeChallengeMethod: CodeChallengeMethod | null
  /** The `prompt` values (`none`, `login`, `consent`, `select_account`), as sent. */
  readonly prompt: readonly string[]
  /**
   * `max_age` (OpenID Connect Core §3.1.2.1): the most seconds since the user last signed in
   * that the client accepts; `null` when not sent. `beginAuthorization` enforces it.
   */
  readonly maxAge: number | null
}

/**
 * Validates an authorization request. Until the client and its redirect URI are known good, errors
 * carry no redirect and must be shown to the user; after that, they carry the redirect (with
 * `state`) and `renderError` sends them back to the client.
 *
 * @throws OAuthError `invalid_request`, `unauthorized_client`, `unsupported_response_type`, `invalid_scope`
 * @see RFC 6749 §4.1.1, §4.1.2.1, RFC 7636 §4.3
 */
export async function validateAuthorizationRequest(
  context: ServerContext,
  input: ParameterInput,
): Promise<AuthorizationRequest> {
  const parameters = readParameters(input)
  const clientId = parameters.get('client_id')
  if (clientId === undefined)
    throw OAuthError.invalidRequest({ description: 'The client_id parameter is required.' })
  const client = isClientId(clientId) ? await context.storage.repositories.clients.findById(clientId) : null
  if (!client || client.revokedAt) {
    throw OAuthError.invalidRequest({ description: 'The client is unknown or has been revoked.' })
  }
  const requestedUri = parameters.get('redirect_uri')
  let redirectUri: string
  if (requestedUri !== undefined) {
    if (!matchRedirectUri(requestedUri, client.redirectUris, client)) {
      throw OAuthError.invalidRequest({ description: 'The redirect_uri is not registered for this client.' })
    }
    redirectUri = requestedUri
  } else if (client.redirectUris.length === 1) {
    redirectUri = client.redirectUris[0]!
  } else {
    throw OAuthError.invalidRequest({ description: 'The redirect_uri parameter is required.' })
  }

  // From here on the client and redirect URI are trusted: errors go back to the client.
  const state = parameters.get('state') ?? null
  const redirect = { redirectUri, state }
  try {
    const responseType = parameters.get('response_type')
    if (responseType === undefined)
      throw OAuthError.invalidRequest({ description: 'response_type is required.' })
    if (responseType !== 'code') {
      throw OAuthError.unsupportedResponseType({ description: 'Only response_type=code is supported.' })
    }
    if (!client.allowedGrants.includes('authorization_code')) {
      throw OAuthError.unauthorizedClient({
        description: 'The client may not use the authorization code grant.',
      })
    }
    const defaults =
      context.config.defaultScopes?.filter((scope) => client.allowedScopes.includes(scope)) ?? null
    const scopes = requestedScopes(parameters.get('scope'), {
      allowed: client.allowedScopes,
      fallback: defaults,
    })
    const pkce = readPkce(context, parameters, client.confidential)
    const maxAge = parameters.get('max_age')
    if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) {
      throw OAuthError.invalidRequest({ description: 'max_age must be a whole number of seconds.' })
    }
    return {
      client: toClient(client),
      redirectUri,
      redirectUriExplicit: requestedUri !== undefined,
      responseType: 'code',
      scopes,
      state,
      ...pkce,
      prompt: parameters.get('prompt')?.split(' ').filter(Boolean) ?? [],
      maxAge: maxAge === undefined ? null : Number(maxAge),
    }
  } catch (error) {
    if (error instanceof OAuthError) throw error.withRedirect(redirect)
    throw error
  }
}

function readPkce(
  context: ServerContext,
  parameters: ReadonlyMap<string, string>,
  confidential: boolean,
): { readonly codeChallenge: string | null; readonly codeChallengeMethod: CodeChallengeMethod | null } {
  const challenge = parameters.get('code_challenge')
  const method = parameters.get('code_challenge_method')
  if (challenge === undefined) {
    if (method !== undefined) {
      throw OAuthError.invalidRequest({
        description: 'code_challenge_method was sent without code_challenge.',
      })
    }
    const required = !confidential || context.config.pkceRequiredFor === 'all-clients'
    if (required) throw OAuthError.invalidRequest({ description: 'code_challenge is required (PKCE).' })
    return { codeChallenge: null, codeChallengeMethod: null }
  }
  // RFC 7636 §4.3: an absent method means plain.
  const resolved = method ?? 'plain'
  if (!isCodeChallengeMethod(resolved)) {
    throw OAuthError.invalidRequest({ description: 'code_challenge_method must be S256 or plain.' })
  }
  if (resolved === 'plain' && !context.config.pkceAllowPlain) {
    throw OAuthError.invalidRequest({ description: 'code_challenge_method=plain is not allowed; use S256.' })
  }
  if (!isPkceValue(challenge)) {
    throw OAuthError.invalidRequest({ description: 'code_challenge must be 43-128 unreserved characters.' })
  }
  return { codeChallenge: challenge, codeChallengeMethod: resolved }
}
