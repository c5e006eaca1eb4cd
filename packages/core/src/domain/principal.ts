import type { GrantType } from './grant-type.js'

/** Who is calling a protected resource, as the bearer token says. */
export interface Principal {
  /** The client the token was issued to. */
  readonly clientId: string
  /** The user who approved; `null` for client_credentials. */
  readonly userId: string | null
  readonly grantType: GrantType
  readonly scopes: readonly string[]
  readonly claims: Readonly<Record<string, unknown>>
  /** The access token's id (its `jti` when a JWT). */
  readonly tokenId: string
  readonly expiresAt: Date
  /** Whether the token grants `scope`. */
  can(scope: string): boolean
}

export interface PrincipalData {
  readonly clientId: string
  readonly userId: string | null
  readonly grantType: GrantType
  readonly scopes: readonly string[]
  readonly claims: Readonly<Record<string, unknown>>
  readonly tokenId: string
  readonly expiresAt: Date
}

/** Built field by field on a class: the bearer check makes one per request, so shape matters. */
class TokenPrincipal implements Principal {
  readonly clientId: string
  readonly userId: string | null
  readonly grantType: GrantType
  readonly scopes: readonly string[]
  readonly claims: Readonly<Record<string, unknown>>
  readonly tokenId: string
  readonly expiresAt: Date

  constructor(data: PrincipalData) {
    this.clientId = data.clientId
    this.userId = data.userId
    this.grantType = data.grantType
    this.scopes = data.scopes
    this.claims = data.claims
    this.tokenId = data.tokenId
    this.expiresAt = data.expiresAt
    Object.freeze(this)
  }

  can(scope: string): boolean {
    // Scope lists are short: a scan beats building a Set per request.
    return this.scopes.includes(scope)
  }
}

export function createPrincipal(data: PrincipalData): Principal {
  return new TokenPrincipal(data)
}
