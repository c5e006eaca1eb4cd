import type { JsonWebKey, SigningKeyRecord, SigningKeyState } from '../domain/signing-key.js'

/** Stores the keys that sign JWT access tokens. */
export interface SigningKeyRepository {
  /** Stores a new key. Throws if its `kid` exists. */
  insert(key: SigningKeyRecord): Promise<void>
  /** The key with this `kid`, in any state; `null` when there is none. */
  findByKid(kid: string): Promise<SigningKeyRecord | null>
  /** Every key in one of `states`, newest first. */
  listByState(states: readonly SigningKeyState[]): Promise<readonly SigningKeyRecord[]>
  /**
   * Sets the state of a key and its `updatedAt` to `now` (key rotation reads it to tell when a
   * previous key has outlived every token it signed). Returns the updated record, or `null` when
   * there is no such key.
   */
  updateState(kid: string, state: SigningKeyState, now: Date): Promise<SigningKeyRecord | null>
  /**
   * Replaces the stored private part of a key (re-encryption under another key-encryption key);
   * every other field, `updatedAt` included, stays as it is. Returns the updated record, or `null`
   * when there is no such key. Last writer wins (concurrent re-encryptions store equivalent values).
   */
  updatePrivateJwk(kid: string, privateJwk: JsonWebKey): Promise<SigningKeyRecord | null>
}
