import type { RandomSource } from './random-source.js'
import type { SecretHasher } from './secret-hasher.js'
import type { Sha256Digest } from './sha256-digest.js'

/**
 * Every piece of cryptography a server runs on, given as one option: `webCrypto({ keys })` from
 * `@sp-oauth/core` (any runtime) or `nodeCrypto({ keys })` from `@sp-oauth/core/node` (faster on
 * Node). Both hash alike, so a server can move between them with no stored hash changing. To plug
 * in your own hasher (a KMS, say), spread one of them and replace that part.
 */
export interface ServerCrypto {
  /** Hashes client secrets, authorization codes and opaque tokens under the named keys. */
  readonly secretHasher: SecretHasher
  /** SHA-256 for PKCE's S256 method. */
  readonly sha256Digest: Sha256Digest
  /** Where ids, codes, tokens and secrets get their randomness. */
  readonly randomSource: RandomSource
}
