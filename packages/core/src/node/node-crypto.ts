import type { HashKeys } from '../crypto/hash-keys.js'
import { webRandomSource } from '../crypto/web-random-source.js'
import type { ServerCrypto } from '../ports/server-crypto.js'
import { createNodeSecretHasher } from './node-secret-hasher.js'
import { nodeSha256Digest } from './node-sha256-digest.js'

/**
 * The server's cryptography through `node:crypto`:
 * `createAuthorizationServer({ issuer, storage, crypto: nodeCrypto({ keys }) })`. The same hashes
 * as `webCrypto`, computed synchronously (no thread-pool hop), so the token endpoint and the
 * bearer check cost less.
 *
 * @throws ConfigurationError naming every invalid key (`crypto.keys[0].secret: …`)
 */
export function nodeCrypto(hashKeys: HashKeys): ServerCrypto {
  return Object.freeze({
    secretHasher: createNodeSecretHasher(hashKeys),
    sha256Digest: nodeSha256Digest,
    // Web Crypto's generator is Node's own CSPRNG; pooled, it is as fast as randomBytes.
    randomSource: webRandomSource,
  })
}
