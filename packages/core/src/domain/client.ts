import type { GrantType } from './grant-type.js'

/** A registered client as stored. The secret exists only as a hash. */
export interface ClientRecord {
  /** A UUID. */
  readonly id: string
  readonly name: string
  readonly redirectUris: readonly string[]
  readonly allowedGrants: readonly GrantType[]
  readonly allowedScopes: readonly string[]
  /** Confidential clients hold a secret; public clients (mobile, SPA, CLI) cannot. */
  readonly confidential: boolean
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
    resourceServer: record.resourceServer,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
  }
}
