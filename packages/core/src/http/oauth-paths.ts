/** Where each endpoint lives: paths for routing, absolute URLs for metadata. */
export interface OAuthPaths {
  readonly authorize: string
  readonly approve: string
  readonly deny: string
  readonly token: string
  readonly revoke: string
  readonly introspect: string
  readonly jwks: string
  /** RFC 8414 §3: the well-known suffix inserted before the issuer's path. */
  readonly metadata: string
  /** The same document under the route prefix too, for apps that mount only that. */
  readonly prefixedMetadata: string
  /** The absolute URL of a path, on the issuer's origin. */
  url(path: string): string
}

/**
 * The routes sit under the issuer's path and the route prefix: issuer `https://id.example.com/a`
 * with prefix `oauth` puts the token endpoint at `/a/oauth/token`, and metadata at
 * `/.well-known/oauth-authorization-server/a`.
 */
export function oauthPaths(issuerUrl: string, routePrefix: string): OAuthPaths {
  const issuer = new URL(issuerUrl)
  const issuerPath = issuer.pathname.replace(/\/+$/, '')
  const base = routePrefix === '' ? issuerPath : `${issuerPath}/${routePrefix}`
  return {
    authorize: `${base}/authorize`,
    approve: `${base}/authorize/approve`,
    deny: `${base}/authorize/deny`,
    token: `${base}/token`,
    revoke: `${base}/revoke`,
    introspect: `${base}/introspect`,
    jwks: `${base}/jwks`,
    metadata: `/.well-known/oauth-authorization-server${issuerPath}`,
    prefixedMetadata: `${base}/.well-known/oauth-authorization-server`,
    url: (path) => `${issuer.origin}${path}`,
  }
}
