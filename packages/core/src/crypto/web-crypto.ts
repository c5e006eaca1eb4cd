import type { ServerCrypto } from '../ports/server-crypto.js'
import type { HashKeys } from './hash-keys.js'
import { createWebCryptoSecretHasher } from './web-crypto-secret-hasher.js'
import { webCryptoSha256Digest } from './web-crypto-sha256-digest.js'
import { webRandomSource } from './web-random-source.js'

/**
 * The server's cryptography through Web Crypto, on any runtime:
 * `createAuthorizationServer({ issuer, storage, crypto: webCrypto({ keys }) })`. On Node,
 * `nodeCrypto` from `@sp-oauth/core/node` makes the same hashes several times faster.
 *
 * @throws ConfigurationError naming every invalid key (`crypto.keys[0].secret: …`)
 */
export function webCrypto(hashKeys: HashKeys): ServerCrypto {
  return Object.freeze({
    secretHasher: createWebCryptoSecretHasher(hashKeys),
    sha256Digest: webCryptoSha256Digest,
    randomSource: webRandomSource,
  })
}
