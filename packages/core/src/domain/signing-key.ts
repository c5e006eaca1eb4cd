/**
 * The life of a signing key: `active` signs and verifies; `previous` only verifies (tokens it
 * signed stay valid until they expire); `retired` and `compromised` never verify.
 */
export type SigningKeyState = 'active' | 'previous' | 'retired' | 'compromised'

/** The JWS algorithms sp-oauth can generate keys for. */
export type SigningAlgorithm = 'ES256' | 'RS256' | 'EdDSA'

/** A JSON Web Key (RFC 7517), as plain data. */
export type JsonWebKey = Readonly<Record<string, unknown>>

/** A signing key as stored. */
export interface SigningKeyRecord {
  /** The `kid` put in each JWT header and in the JWKS. */
  readonly kid: string
  readonly algorithm: SigningAlgorithm
  readonly state: SigningKeyState
  readonly publicJwk: JsonWebKey
  /**
   * As stored: the private JWK encrypted under a key-encryption key (`{ enc, kek, iv, ct }`, see
   * `signingKeyEncryption`), or a plain private JWK for keys stored before encryption existed.
   * Decrypted only in memory, to sign; whoever holds it in clear can mint tokens.
   */
  readonly privateJwk: JsonWebKey
  readonly createdAt: Date
  readonly updatedAt: Date
}

export function canVerify(state: SigningKeyState): boolean {
  return state === 'active' || state === 'previous'
}
