import type { ClientRecord } from '../domain/client.js'

/** A stored credential (a code, a refresh token) and the client it was issued to, read together. */
export interface IssuedToClient<T> {
  readonly record: T
  readonly client: ClientRecord
}
