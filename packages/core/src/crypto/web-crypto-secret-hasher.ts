import { base64UrlEncode } from '../domain/pkce.js'
import type { SecretHash, SecretHasher } from '../ports/secret-hasher.js'
import { constantTimeEqual } from './constant-time-equal.js'
import { type HashKeys, resolveHashKeys } from './hash-keys.js'

/**
 * HMAC-SHA-256 through Web Crypto: runs on any runtime. Keys are imported once. On Node,
 * `nodeCrypto` from `@sp-oauth/core/node` gives the same hashes several times faster.
 */
export function createWebCryptoSecretHasher(options: HashKeys): SecretHasher {
  const { currentKeyId, keys } = resolveHashKeys(options)
  const imported = new Map<string, Promise<CryptoKey>>()
  for (const [id, bytes] of keys) {
    imported.set(
      id,
      crypto.subtle.importKey(
        'raw',
        bytes as Uint8Array<ArrayBuffer>,
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      ),
    )
  }
  const encoder = new TextEncoder()

  async function hashWithKey(secret: string, keyId: string): Promise<string> {
    const key = imported.get(keyId)
    if (!key) throw new Error(`Unknown hash key "${keyId}"`)
    const mac = await crypto.subtle.sign('HMAC', await key, encoder.encode(secret))
    return base64UrlEncode(new Uint8Array(mac))
  }

  return {
    currentKeyId,
    keyIds: [...keys.keys()],
    async hash(secret: string): Promise<SecretHash> {
      return { hash: await hashWithKey(secret, currentKeyId), keyId: currentKeyId }
    },
    hashWithKey,
    async verify(secret: string, expected: SecretHash): Promise<boolean> {
      if (!keys.has(expected.keyId)) return false
      return constantTimeEqual(await hashWithKey(secret, expected.keyId), expected.hash)
    },
  }
}
