import type { ResolvedConfig, Storage } from '../../config/options.js'
import type { SigningKeyEncryption } from '../../crypto/signing-key-encryption.js'
import { canVerify, type SigningKeyRecord } from '../../domain/signing-key.js'
import type { Clock } from '../../ports/clock.js'

/** Keys this instance signs and verifies with, kept in memory for at most `signingKeyCacheSeconds`. */
export interface SigningKeyCache {
  /**
   * The newest active key with its private part decrypted, or `null` when there is none.
   *
   * @throws ConfigurationError when the key-encryption key it is stored under is not configured
   */
  activeKey(): Promise<SigningKeyRecord | null>
  /** The key with this `kid` if it may verify (active or previous); `null` otherwise. Public part only is used. */
  verificationKey(kid: string): Promise<SigningKeyRecord | null>
  /** Every key that may verify (active and previous), newest first, as stored: for the JWKS. */
  verificationKeys(): Promise<readonly SigningKeyRecord[]>
  /** Forgets every key, so a state change made through this instance takes effect at once. */
  invalidate(): void
}

/** An unknown `kid` reloads the keys at most this often, so random kids cannot flood the database. */
const UNKNOWN_KID_RELOAD_MS = 1000

export function createSigningKeyCache(
  config: ResolvedConfig,
  storage: Storage,
  clock: Clock,
  encryption: SigningKeyEncryption,
): SigningKeyCache {
  const ttlMs = config.signingKeyCacheSeconds * 1000
  let loaded: { readonly at: number; readonly keys: Promise<readonly SigningKeyRecord[]> } | null = null
  let lastUnknownReload = Number.NEGATIVE_INFINITY
  // Decrypted once per stored record (key material never changes for a kid; re-encryption gives a
  // new stored record, decrypting to the same key).
  const decrypted = new WeakMap<SigningKeyRecord, Promise<SigningKeyRecord>>()

  function load(): Promise<readonly SigningKeyRecord[]> {
    const now = clock.now().getTime()
    if (loaded && now - loaded.at < ttlMs) return loaded.keys
    const keys = storage.repositories.signingKeys.listByState(['active', 'previous'])
    const entry = { at: now, keys }
    loaded = entry
    // A failed load must not be served from the cache.
    keys.catch(() => {
      if (loaded === entry) loaded = null
    })
    return keys
  }

  function withPrivateKey(key: SigningKeyRecord): Promise<SigningKeyRecord> {
    let found = decrypted.get(key)
    if (!found) {
      found = encryption.decrypt(key.kid, key.privateJwk).then((privateJwk) => ({ ...key, privateJwk }))
      found.catch(() => decrypted.delete(key))
      decrypted.set(key, found)
    }
    return found
  }

  return {
    async activeKey() {
      const active = (await load()).find((key) => key.state === 'active')
      return active ? withPrivateKey(active) : null
    },
    async verificationKey(kid) {
      let key = (await load()).find((candidate) => candidate.kid === kid)
      const now = clock.now().getTime()
      if (!key && ttlMs > 0 && now - lastUnknownReload >= UNKNOWN_KID_RELOAD_MS) {
        // A key created by another instance since the last load.
        lastUnknownReload = now
        loaded = null
        key = (await load()).find((candidate) => candidate.kid === kid)
      }
      return key && canVerify(key.state) ? key : null
    },
    async verificationKeys() {
      return (await load()).filter((key) => canVerify(key.state))
    },
    invalidate() {
      loaded = null
    },
  }
}
