import type { ClientRecord } from '../domain/client.js'

/**
 * A client and, read with it, a stored credential (a code, a refresh token) presented for it:
 * `record` is `null` when no credential has the hash or it was issued to another client.
 */
export interface ClientWithCredential<T> {
  readonly client: ClientRecord
  readonly record: T | null
}
