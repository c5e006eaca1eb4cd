import type { HmacSecretHasherOptions } from '../crypto/hash-keys.js'
import type { SecretHasher } from '../ports/secret-hasher.js'
import type { Sha256Digest } from '../ports/sha256-digest.js'
import { createNodeSecretHasher } from './node-secret-hasher.js'
import { nodeSha256Digest } from './node-sha256-digest.js'

/**
 * The hashing ports implemented with `node:crypto`, to spread into `createAuthorizationServer`'s
 * options in place of `hashKeys`: `{ issuer, storage, ...createNodeCrypto({ keys }) }`. Same hashes
 * as the Web Crypto defaults, so a server can switch between them with no stored hash changing.
 *
 * @throws ConfigurationError when the hash keys are invalid
 */
export function createNodeCrypto(hashKeys: HmacSecretHasherOptions): {
  readonly secretHasher: SecretHasher
  readonly sha256Digest: Sha256Digest
} {
  return { secretHasher: createNodeSecretHasher(hashKeys), sha256Digest: nodeSha256Digest }
}
