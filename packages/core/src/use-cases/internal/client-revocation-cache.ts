import type { Storage } from '../../config/options.js'
import type { Clock } from '../../ports/clock.js'

/**
 * Whether a token's client has been revoked, as the bearer check and introspection ask it: from
 * memory, so refusing the tokens of a revoked client costs no round trip once a client is known.
 *
 * Why a cache and not the token lookup: `revokeClient` revokes everything a client holds, and a
 * storage's atomic issuance stores nothing for a revoked client, so on such a storage a revoked
 * client's tokens are revoked rows already. The cache covers the rest: a storage whose issuance
 * runs over a unit of work weaker than that, a revocation that was interrupted before the client's
 * holdings were revoked, a client row marked revoked by hand.
 */
export interface ClientRevocationCache {
  /** Whether `clientId` is revoked or unknown. Reads the client at most once per TTL per client. */
  isRevoked(clientId: string): Promise<boolean>
  /**
   * The client was just read live (client authentication): the bearer checks that follow need no
   * read of their own. Never overrides a revocation, nor a read in flight.
   */
  noteLive(clientId: string): void
  /** A revocation made through this instance: its tokens are refused here from now on. */
  markRevoked(clientId: string): void
}

/** A bound on remembered clients, so a flood of distinct client ids cannot grow memory. */
export const CLIENT_REVOCATION_CACHE_ENTRIES = 10_000

interface Entry {
  /** When the answer was read (ms); a revoked client stays revoked, so `true` never expires. */
  readonly at: number
  /** Whether the client is revoked, or the read in flight that will tell. */
  readonly revoked: boolean | Promise<boolean>
}

export function createClientRevocationCache(
  storage: Storage,
  clock: Clock,
  ttlSeconds: number,
  maxEntries: number = CLIENT_REVOCATION_CACHE_ENTRIES,
): ClientRevocationCache {
  const ttlMs = ttlSeconds * 1000
  const entries = new Map<string, Entry>()

  function remember(clientId: string, entry: Entry): void {
    entries.delete(clientId)
    entries.set(clientId, entry)
    // Maps iterate in insertion order: the first key is the least recently stored.
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
  }

  function read(clientId: string, at: number): Promise<boolean> {
    const revoked = storage.repositories.clients
      .findById(clientId)
      .then((client) => client === null || client.revokedAt !== null)
    const pending: Entry = { at, revoked }
    // Concurrent checks of one client share this read; a failed read is not remembered.
    remember(clientId, pending)
    revoked.then(
      (answer) => {
        if (entries.get(clientId) === pending) entries.set(clientId, { at, revoked: answer })
      },
      () => {
        if (entries.get(clientId) === pending) entries.delete(clientId)
      },
    )
    return revoked
  }

  return {
    isRevoked: async (clientId) => {
      const now = clock.now().getTime()
      const known = entries.get(clientId)
      if (known !== undefined && (known.revoked !== false || now - known.at < ttlMs)) return known.revoked
      return read(clientId, now)
    },
    noteLive: (clientId) => {
      const known = entries.get(clientId)
      if (known === undefined || known.revoked === false) {
        remember(clientId, { at: clock.now().getTime(), revoked: false })
      }
    },
    markRevoked: (clientId) => remember(clientId, { at: clock.now().getTime(), revoked: true }),
  }
}
