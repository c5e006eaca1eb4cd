import type { ServerContext } from './server-context.js'

/** A stored credential found by the hash of its plaintext, with that hash. */
export interface FoundByHash<T> {
  readonly record: T
  readonly hash: string
}

/**
 * Finds a stored credential by the hash of its plaintext. Tries the current hash key first, then
 * older keys still configured, so hash keys can rotate without logging anybody out. With one key
 * (the usual case) this is one HMAC and one lookup.
 */
export async function findByHash<T>(
  context: ServerContext,
  plaintext: string,
  find: (hash: string) => Promise<T | null>,
  /** A key whose hash was looked up already, without a match. */
  triedKeyId: string | null = null,
): Promise<FoundByHash<T> | null> {
  for (const keyId of context.hasher.keyIds) {
    if (keyId === triedKeyId) continue
    const hash = await context.hasher.hashWithKey(plaintext, keyId)
    const record = await find(hash)
    if (record !== null) return { record, hash }
  }
  return null
}
