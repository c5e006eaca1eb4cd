/** A hash together with the id of the key that made it. */
export interface SecretHash {
  readonly hash: string
  readonly keyId: string
}

/**
 * Keyed hashing (HMAC) of secrets, codes and tokens. Hashes are deterministic, so stored
 * credentials can be found by hash; keys are named, so they can rotate: new hashes use the current
 * key, and hashes made with older keys still verify as long as those keys are configured.
 */
export interface SecretHasher {
  /** The id of the key {@link hash} uses. */
  readonly currentKeyId: string
  /** Ids of the keys still accepted, current first. */
  readonly keyIds: readonly string[]
  /** Hashes with the current key. */
  hash(secret: string): Promise<SecretHash>
  /** Hashes with a named key. Rejects if the key is not configured. */
  hashWithKey(secret: string, keyId: string): Promise<string>
  /** Whether `secret` hashes to `expected` under `keyId`, compared in constant time. */
  verify(secret: string, expected: SecretHash): Promise<boolean>
}
