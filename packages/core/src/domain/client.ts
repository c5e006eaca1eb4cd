import type { GrantType } from './grant-type.js'

/**
 * What kind of application a client is (RFC 8252 §8.4; OpenID Connect Registration's
 * `application_type`): `web` (a server or browser app on a registered host) or `native` (an app
 * on the user's device, which may receive its redirect on any loopback port, RFC 8252 §7.3).
 */
export type ApplicationType = 'web' | 'native'

/** The application types a client may have. */
export const APPLICATION_TYPES: readonly ApplicationType[] = Object.freeze(['web', 'native'])

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
  readonly createdAt: Date
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
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
  }
}
