/** SHA-256 for PKCE's S256 method. A port so a faster runtime implementation can plug in. */
export interface Sha256Digest {
  /** BASE64URL(SHA-256(UTF-8 bytes of `input`)), without padding (RFC 7636 §4.2). */
  base64Url(input: string): Promise<string>
}
