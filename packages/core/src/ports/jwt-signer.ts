import type { SigningKeyRecord } from '../domain/signing-key.js'

/** A verified JWT: its claims. */
export interface VerifiedJwt {
  readonly payload: Readonly<Record<string, unknown>>
}

/** Signs and verifies JWT access tokens (RFC 9068). A port so a faster implementation can plug in. */
export interface JwtSigner {
  /** Signs `payload` with `key`, putting `typ: at+jwt`, `alg` and the key's `kid` in the header. */
  sign(payload: Readonly<Record<string, unknown>>, key: SigningKeyRecord): Promise<string>
  /** The `kid` of a compact JWS header, read without verifying anything; `null` if it has none. */
  readKid(jwt: string): string | null
  /**
   * Verifies the signature with `key` (and only the key's algorithm), `typ: at+jwt`, the issuer,
   * and `exp`/`nbf` against `now`; returns the claims. Rejects on any failure.
   */
  verify(
    jwt: string,
    key: SigningKeyRecord,
    options: { readonly issuer: string; readonly now: Date },
  ): Promise<VerifiedJwt>
}
