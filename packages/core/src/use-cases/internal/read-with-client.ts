import type { ClientRecord } from '../../domain/client.js'
import type { IssuedToClient } from '../../ports/issued-to-client.js'
import type { FoundByHash } from './find-by-hash.js'
import type { ServerContext } from './server-context.js'

/** A repository that may read a credential together with its client (`findByHashWithClient`). */
export interface ReadableWithClient<T> {
  findByHashWithClient?(hash: string, clientId: string): Promise<IssuedToClient<T> | null>
}

/** The client lookup of a token request, and the credential it read along, if it did. */
export interface ClientLookupWithCredential<T> {
  /** The client the request claims, as `ClientRepository.findById` gives it. */
  findClient(clientId: string): Promise<ClientRecord | null>
  /** The presented credential, when `findClient` read it with the client; else `null`. */
  found(): FoundByHash<T> | null
}

/**
 * Looks up the client a token request claims together with the code or refresh token it presents,
 * when the storage offers `findByHashWithClient`: authenticating the client and checking the
 * credential then cost one read instead of two. Nothing is trusted before authentication: the
 * grant gets the credential only after the client it was read with has been authenticated. A
 * credential hashed with an older key, one of another client, or an unknown one falls back to the
 * plain client lookup, and the grant then reads the credential itself, as without the method.
 */
export function readWithClient<T extends { readonly clientId: string }>(
  context: ServerContext,
  plaintext: string | undefined,
  repository: ReadableWithClient<T>,
): ClientLookupWithCredential<T> {
  let found: FoundByHash<T> | null = null
  const clients = context.storage.repositories.clients
  return {
    async findClient(clientId) {
      if (plaintext === undefined || plaintext === '' || repository.findByHashWithClient === undefined) {
        return clients.findById(clientId)
      }
      const hash = await context.hasher.hashWithKey(plaintext, context.hasher.currentKeyId)
      const read = await repository.findByHashWithClient(hash, clientId)
      // A storage answering with another client's row must not get it authenticated as this one.
      if (read === null || read.client.id !== clientId || read.record.clientId !== clientId) {
        return clients.findById(clientId)
      }
      found = { record: read.record, hash }
      return read.client
    },
    found: () => found,
  }
}
