import type { GrantType } from './grant-type.js'

/** Who is calling a protected resource, as the bearer token says. */
export interface Principal {
  /** The client (UUID) the token was issued to. */
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

export function createPrincipal(data: PrincipalData): Principal {
  const granted = new Set(data.scopes)
  return Object.freeze({ ...data, can: (scope: string) => granted.has(scope) })
}
