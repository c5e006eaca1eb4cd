import {
  APPLICATION_TYPES,
  type ApplicationType,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type TokenEndpointAuthMethod,
} from '../../domain/client.js'
import { hasControlCharacter, hasLoneSurrogate } from '../../domain/control-characters.js'
import { GRANT_TYPES, type GrantType, isGrantType } from '../../domain/grant-type.js'
import { redirectUriProblem } from '../../domain/redirect-uri.js'
import { isScopeToken, normalizeScopes } from '../../domain/scope.js'
import { OAuthError } from '../../errors/oauth-error.js'
import type { ServerContext } from './server-context.js'

/** What the application registers a client with (the seed's `OAuthClientData`). */
export interface ClientInput {
  readonly name: string
  readonly redirectUris: readonly string[]
  readonly allowedGrants: readonly GrantType[]
  readonly allowedScopes: readonly string[]
  /** `true` for a server-side client that can keep a secret; `false` for mobile, SPA and CLI clients. */
  readonly confidential: boolean
  /**
   * `native` for an app on the user's device that receives its redirect on a loopback port it
   * picks at run time (RFC 8252 §7.3): only then does `http://127.0.0.1` or `http://[::1]` match
   * on any port. Default `web`: every redirect URI matches exactly.
   */
  readonly applicationType?: ApplicationType
  /**
   * Let a remembered consent approve a request without showing the consent screen. Default: `true`
   * for a confidential client, `false` for a public one, whose `client_id` anyone can send
   * (RFC 8252 §8.6): opt in only for a public client whose redirect URIs only it can receive.
   */
  readonly silentConsent?: boolean
  /**
   * A resource server (an API that checks tokens by introspection) may introspect access tokens
   * issued to other clients; any other client only its own. Confidential clients only. Default
   * `false`.
   * @see RFC 7662 §2.1, §4
   */
  readonly resourceServer?: boolean
  /**
   * The one way the client may authenticate. A public client: `none` (the default). A confidential
   * one: `client_secret_basic` (HTTP Basic) or `client_secret_post` (the form body); default
   * `null`, either of them. A client registered for one method is refused with the other.
   * @see RFC 7591 §2, RFC 6749 §2.3.1
   */
  readonly tokenEndpointAuthMethod?: TokenEndpointAuthMethod | null
  /**
   * This client's access tokens live this long: a whole number of minutes from 1 to the server's
   * `accessTokenTtlMinutes` (the server's lifetimes are the ceiling: key rotation counts on them).
   * Default `null`: the server's.
   */
  readonly accessTokenTtlMinutes?: number | null
  /** This client's refresh tokens: whole days from 1 to the server's `refreshTokenTtlDays`. Default `null`: the server's. */
  readonly refreshTokenTtlDays?: number | null
}

/** Client metadata as checked: every default resolved. */
export type CheckedClientInput = Required<ClientInput>

/** The metadata an administrator may change (`updateClient`): everything but whether it is confidential. */
export type ClientPatch = Partial<Omit<ClientInput, 'confidential'>>

/** Checks client metadata and returns it normalized; lists every problem at once. */
export function checkClientInput(context: ServerContext, input: ClientInput): CheckedClientInput {
  const problems: string[] = []
  const name = typeof input.name === 'string' ? input.name.trim() : ''
  if (name === '' || name.length > 200 || hasControlCharacter(name) || hasLoneSurrogate(name)) {
    problems.push('name: must be 1-200 characters without control characters')
  }
  const grants = Array.isArray(input.allowedGrants) ? input.allowedGrants : []
  if (grants.length === 0) problems.push(`allowedGrants: name at least one of ${GRANT_TYPES.join(', ')}`)
  for (const grant of grants) {
    if (!isGrantType(grant)) problems.push(`allowedGrants: "${String(grant)}" is not supported`)
  }
  if (grants.includes('client_credentials') && !input.confidential) {
    problems.push('allowedGrants: client_credentials needs a confidential client')
  }
  if (grants.includes('refresh_token') && !grants.includes('authorization_code')) {
    problems.push('allowedGrants: refresh_token needs authorization_code')
  }
  const redirectUris = Array.isArray(input.redirectUris) ? input.redirectUris : []
  if (grants.includes('authorization_code') && redirectUris.length === 0) {
    problems.push('redirectUris: the authorization_code grant needs at least one')
  }
  redirectUris.forEach((uri, index) => {
    const problem = typeof uri === 'string' ? redirectUriProblem(uri) : 'must be a string'
    if (problem) problems.push(`redirectUris[${index}]: ${problem}`)
  })
  const scopes = Array.isArray(input.allowedScopes) ? input.allowedScopes : []
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !isScopeToken(scope)) {
      problems.push(`allowedScopes: "${String(scope)}" is not a valid scope`)
    } else if (context.config.scopes && !context.config.scopes.includes(scope)) {
      problems.push(`allowedScopes: "${scope}" is not one of the server's scopes`)
    }
  }
  if (typeof input.confidential !== 'boolean') problems.push('confidential: must be true or false')
  const applicationType = input.applicationType ?? 'web'
  if (!APPLICATION_TYPES.includes(applicationType)) {
    problems.push(`applicationType: must be one of ${APPLICATION_TYPES.join(', ')}`)
  }
  const silentConsent = input.silentConsent ?? input.confidential === true
  if (typeof silentConsent !== 'boolean') problems.push('silentConsent: must be true or false')
  const resourceServer = input.resourceServer ?? false
  if (typeof resourceServer !== 'boolean') problems.push('resourceServer: must be true or false')
  else if (resourceServer && input.confidential !== true) {
    problems.push('resourceServer: needs a confidential client (introspection needs client authentication)')
  }
  const tokenEndpointAuthMethod = authMethodOf(input, problems)
  const accessTokenTtlMinutes = lifetime(
    input.accessTokenTtlMinutes,
    context.config.accessTokenTtlMinutes,
    'accessTokenTtlMinutes',
    problems,
  )
  const refreshTokenTtlDays = lifetime(
    input.refreshTokenTtlDays,
    context.config.refreshTokenTtlDays,
    'refreshTokenTtlDays',
    problems,
  )
  if (problems.length > 0) throw OAuthError.invalidRequest({ description: problems.join('; ') })
  return {
    name,
    redirectUris: [...new Set(redirectUris)],
    allowedGrants: [...new Set(grants)],
    allowedScopes: normalizeScopes(scopes),
    confidential: input.confidential,
    applicationType,
    silentConsent,
    resourceServer,
    tokenEndpointAuthMethod,
    accessTokenTtlMinutes,
    refreshTokenTtlDays,
  }
}

function authMethodOf(input: ClientInput, problems: string[]): TokenEndpointAuthMethod | null {
  const method = input.tokenEndpointAuthMethod ?? (input.confidential === false ? 'none' : null)
  if (method !== null && !TOKEN_ENDPOINT_AUTH_METHODS.includes(method)) {
    problems.push(`tokenEndpointAuthMethod: must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`)
  } else if (input.confidential === true && method === 'none') {
    problems.push('tokenEndpointAuthMethod: a confidential client authenticates with its secret, not none')
  } else if (input.confidential === false && method !== 'none') {
    problems.push('tokenEndpointAuthMethod: a public client has no secret: none is its only method')
  }
  return method
}

/** A per-client lifetime: `null` (the server's) or a whole number from 1 to the server's. */
function lifetime(value: unknown, ceiling: number, field: string, problems: string[]): number | null {
  if (value === undefined || value === null) return null
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > ceiling) {
    problems.push(`${field}: must be a whole number from 1 to ${ceiling} (the server's), or null`)
    return null
  }
  return value as number
}
