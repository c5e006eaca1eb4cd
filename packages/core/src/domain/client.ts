import type { GrantType } from './grant-type.js'

/**
 * What kind of application a client is (RFC 8252 §8.4; OpenID Connect Registration's
 * `application_type`): `web` (a server or browser app on a registered host) or `native` (an app
 * on the user's device, which may receive its redirect on any loopback port, RFC 8252 §7.3).
 */
export type ApplicationType = 'web' | 'native'

/** The application types a client may have. */
export const APPLICATION_TYPES: readonly ApplicationType[] = Object.freeze(['web', 'native'])

/**
 * How a client authenticates at the token, revocation and introspection endpoints (RFC 6749
 * §2.3.1, the names of RFC 7591 §2): its secret in HTTP Basic, its secret in the form body, or no
 * secret at all (a public client).
 */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none'

/** The token endpoint authentication methods a client may be registered with. */
export const TOKEN_ENDPOINT_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = Object.freeze([
  'client_secret_basic',
  'client_secret_post',
  'none',
])

/** A registered client as stored. The secret exists only as a hash. */
export interface ClientRecord {
  /** A UUID from `createClient`, or the id an imported client had elsewhere (1-128 visible ASCII characters). */
  readonly id: string
  readonly name: string
  readonly redirectUris: readonly string[]
  readonly allowedGrants: readonly GrantType[]
  readonly allowedScopes: readonly string[]
  /** Confidential clients hold a secret; public clients (mobile, SPA, CLI) cannot. */
  readonly confidential: boolean
  /**
   * `native`: a loopback IP redirect URI may be requested on any port (RFC 8252 §7.3); `web`:
   * every redirect URI matches exactly.
   */
  readonly applicationType: ApplicationType
  /**
   * Whether a remembered consent may approve a request without showing the consent screen. A
   * public client's identity cannot be proven (anyone can send its `client_id`, RFC 8252 §8.6), so
   * this defaults to `false` for public and `true` for confidential clients.
   */
  readonly silentConsent: boolean
  /**
   * A resource server: may introspect access tokens issued to other clients (RFC 7662 §2.1). Any
   * client may introspect its own; only these may read another client's.
   */
  readonly resourceServer: boolean
  /**
   * The one way this client may authenticate: `none` for a public client; for a confidential one
   * `client_secret_basic` or `client_secret_post`, or `null` for either (the default).
   */
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod | null
  /** This client's access token lifetime, at most the server's `accessTokenTtlMinutes`; `null`: the server's. */
  readonly accessTokenTtlMinutes: number | null
  /** This client's refresh token lifetime, at most the server's `refreshTokenTtlDays`; `null`: the server's. */
  readonly refreshTokenTtlDays: number | null
  /** HMAC of the secret; `null` for public clients. */
  readonly secretHash: string | null
  /** Which hash key produced `secretHash`, so keys can rotate. */
  readonly secretHashKeyId: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly revokedAt: Date | null
}

/** What the application may show or keep of a client: no secret hash. */
export interface Client {
  readonly id: string
  readonly name: string
  readonly redirectUris: readonly string[]
  readonly allowedGrants: readonly GrantType[]
  readonly allowedScopes: readonly string[]
  readonly confidential: boolean
  readonly applicationType: ApplicationType
  /** Whether a remembered consent may skip the consent screen (see {@link ClientRecord.silentConsent}). */
  readonly silentConsent: boolean
  /** May introspect access tokens issued to other clients. */
  readonly resourceServer: boolean
  /** The one authentication method it may use; `null`: either secret method (see {@link ClientRecord.tokenEndpointAuthMethod}). */
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod | null
  /** Its own access token lifetime; `null`: the server's. */
  readonly accessTokenTtlMinutes: number | null
  /** Its own refresh token lifetime; `null`: the server's. */
  readonly refreshTokenTtlDays: number | null
  readonly createdAt: Date
  /** The last change of its metadata or secret. */
  readonly updatedAt: Date
  readonly revokedAt: Date | null
}

export function toClient(record: ClientRecord): Client {
  return {
    id: record.id,
    name: record.name,
    redirectUris: record.redirectUris,
    allowedGrants: record.allowedGrants,
    allowedScopes: record.allowedScopes,
    confidential: record.confidential,
    applicationType: record.applicationType,
    silentConsent: record.silentConsent,
    resourceServer: record.resourceServer,
    tokenEndpointAuthMethod: record.tokenEndpointAuthMethod,
    accessTokenTtlMinutes: record.accessTokenTtlMinutes,
    refreshTokenTtlDays: record.refreshTokenTtlDays,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    revokedAt: record.revokedAt,
  }
}
