import { base64UrlEncode } from './pkce.js'

/** 256 bits: a token nobody can guess (RFC 6749 §10.10). */
export const OPAQUE_TOKEN_BYTES = 32

/** The random body of an opaque token: 43 base64url characters. */
const TOKEN_BODY = /^[A-Za-z0-9_-]{43}$/

export function formatOpaqueToken(prefix: string, randomBytes: Uint8Array): string {
  return prefix + base64UrlEncode(randomBytes)
}

/** Whether `token` has the shape `prefix` + 43 base64url characters. */
export function hasOpaqueTokenShape(token: string, prefix: string): boolean {
  return token.startsWith(prefix) && TOKEN_BODY.test(token.slice(prefix.length))
}

/** Whether `token` looks like a compact JWS: three base64url parts. */
export function hasJwtShape(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)
}
