import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto'
import type { HashKeys } from '../crypto/hash-keys.js'
import { resolveHashKeys } from '../crypto/hash-keys.js'
import type { SecretHash, SecretHasher } from '../ports/secret-hasher.js'

/**
 * HMAC-SHA-256 through `node:crypto`: the same hashes as the Web Crypto hasher, computed
 * synchronously (no thread-pool hop), which makes the bearer check and the token endpoint cheaper.
 */
export function createNodeSecretHasher(options: HashKeys): SecretHasher {
  const { currentKeyId, keys: keyBytes } = resolveHashKeys(options)
  // Key objects made once: handing createHmac raw bytes would prepare the key on every call.
  const keys = new Map<string, KeyObject>([...keyBytes].map(([id, bytes]) => [id, createSecretKey(bytes)]))

  function hashSync(secret: string, keyId: string): string {
    const key = keys.get(keyId)
    if (!key) throw new Error(`Unknown hash key "${keyId}"`)
    return createHmac('sha256', key).update(secret, 'utf8').digest('base64url')
  }

  return {
    currentKeyId,
    keyIds: [...keys.keys()],
    hash: async (secret: string): Promise<SecretHash> => ({
      hash: hashSync(secret, currentKeyId),
      keyId: currentKeyId,
    }),
    hashWithKey: async (secret: string, keyId: string): Promise<string> => hashSync(secret, keyId),
    async verify(secret: string, expected: SecretHash): Promise<boolean> {
      if (!keys.has(expected.keyId)) return false
      const actual = Buffer.from(hashSync(secret, expected.keyId))
      const wanted = Buffer.from(expected.hash)
      return actual.length === wanted.length && timingSafeEqual(actual, wanted)
    },
  }
}
