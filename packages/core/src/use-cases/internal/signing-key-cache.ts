import type { ResolvedConfig, Storage } from '../../config/options.js'
import { canVerify, type SigningKeyRecord } from '../../domain/signing-key.js'
import type { Clock } from '../../ports/clock.js'

/** Keys this instance signs and verifies with, kept in memory for at most `signingKeyCacheSeconds`. */
export interface SigningKeyCache {
  /** The newest active key, or `null` when there is none. */
  activeKey(): Promise<SigningKeyRecord | null>
  /** The key with this `kid` if it may verify (active or previous); `null` otherwise. */
  verificationKey(kid: string): Promise<SigningKeyRecord | null>
  /** Forgets every key, so a state change made through this instance takes effect at once. */
  invalidate(): void
}

/** An unknown `kid` reloads the keys at most this often, so random kids cannot flood the database. */
const UNKNOWN_KID_RELOAD_MS = 1000

export function createSigningKeyCache(
  config: ResolvedConfig,
  storage: Storage,
  clock: Clock,
): SigningKeyCache {
  const ttlMs = config.signingKeyCacheSeconds * 1000
  let loaded: { readonly at: number; readonly keys: Promise<readonly SigningKeyRecord[]> } | null = null
  let lastUnknownReload = Number.NEGATIVE_INFINITY

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

  return {
    async activeKey() {
      const keys = await load()
      return keys.find((key) => key.state === 'active') ?? null
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
    invalidate() {
      loaded = null
    },
  }
}
