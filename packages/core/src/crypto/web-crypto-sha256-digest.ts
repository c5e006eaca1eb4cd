import { s256Challenge } from '../domain/pkce.js'
import type { Sha256Digest } from '../ports/sha256-digest.js'

/** SHA-256 through Web Crypto: any runtime. */
export const webCryptoSha256Digest: Sha256Digest = { base64Url: s256Challenge }
