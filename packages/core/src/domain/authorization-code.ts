/** The PKCE transformations (RFC 7636 §4.2). */
export type CodeChallengeMethod = 'S256' | 'plain'

/** An authorization code as stored: only its hash, bound to client, user, redirect URI and PKCE. */
export interface AuthorizationCodeRecord {
  readonly codeHash: string
  readonly hashKeyId: string
  /**
   * The grant this code starts. Every token issued from it, and every token rotated from those,
   * carries it as `familyId`, so a replayed code can revoke all of them (RFC 6749 §4.1.2).
   */
  readonly grantId: string
  readonly clientId: string
  readonly userId: string
  readonly redirectUri: string
  /** The redirect URI was sent in the authorization request, so the token request must repeat it. */
  readonly redirectUriExplicit: boolean
  readonly scopes: readonly string[]
  readonly claims: Readonly<Record<string, unknown>>
  /**
   * What the verifier must hash to: BASE64URL(SHA-256(verifier)) (RFC 7636 §4.6). For S256 that is
   * the challenge as sent; for `plain` the core stores the SHA-256 of the challenge, never the
   * challenge itself (a plain challenge is the verifier, so a database copy would hold it).
   */
  readonly codeChallenge: string | null
  readonly codeChallengeMethod: CodeChallengeMethod | null
  readonly createdAt: Date
  readonly expiresAt: Date
  /** Set once, when the code is redeemed. */
  readonly consumedAt: Date | null
}
