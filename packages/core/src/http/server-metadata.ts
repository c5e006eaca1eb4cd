import type { ResolvedConfig } from '../config/options.js'
import type { OAuthPaths } from './oauth-paths.js'

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const

/**
 * The authorization server metadata document: exactly what this server does, from its resolved
 * configuration (a JWKS only with JWT access tokens; `plain` PKCE only when allowed).
 *
 * @see RFC 8414 §2, RFC 9207 §3
 */
export function serverMetadata(config: ResolvedConfig, paths: OAuthPaths): Record<string, unknown> {
  const jwt = config.accessTokenFormat === 'jwt'
  return {
    issuer: config.issuer,
    authorization_endpoint: paths.url(paths.authorize),
    token_endpoint: paths.url(paths.token),
    ...(jwt ? { jwks_uri: paths.url(paths.jwks) } : {}),
    ...(config.scopes ? { scopes_supported: config.scopes } : {}),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    // `none`: public clients authenticate with PKCE only.
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    revocation_endpoint: paths.url(paths.revoke),
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    introspection_endpoint: paths.url(paths.introspect),
    introspection_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    code_challenge_methods_supported: config.pkceAllowPlain ? ['S256', 'plain'] : ['S256'],
    authorization_response_iss_parameter_supported: true,
  }
}
