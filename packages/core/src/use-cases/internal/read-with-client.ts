import type { ClientRecord } from '../../domain/client.js'
import type { ClientWithCredential } from '../../ports/client-with-credential.js'
import { type FoundByHash, findByHash } from './find-by-hash.js'
import type { ServerContext } from './server-context.js'

/** A repository that may read a credential together with its client (`findByHashWithClient`). */
export interface ReadableWithClient<T> {
  findByHashWithClient?(hash: string, clientId: string): Promise<ClientWithCredential<T> | null>
}

/**
 * What the client lookup learnt about the presented credential: nothing (`null`: the grant looks
 * it up itself), that it was `found`, or that no credential of this client has the hash the current
 * hash key makes (`absent`: the grant tries only older keys).
 */
export type PresentedCredential<T> =
  | { readonly kind: 'found'; readonly found: FoundByHash<T> }
  | { readonly kind: 'absent'; readonly hashKeyId: string }

/** The client lookup of a token request, and the credential it read along, if it did. */
export interface ClientLookupWithCredential<T> {
  /** The client the request claims, as `ClientRepository.findById` gives it. */
  findClient(clientId: string): Promise<ClientRecord | null>
  /** What `findClient` learnt about the presented credential; `null` when it did not read it. */
  presented(): PresentedCredential<T> | null
}

/**
 * Looks up the client a token request claims together with the code or refresh token it presents,
 * when the storage offers `findByHashWithClient`: authenticating the client and checking the
 * credential then cost one read instead of two, and so does a request with a made-up client or
 * credential. Nothing is trusted before authentication: the grant gets the credential only after
 * the client it was read with has been authenticated. Only the current hash key is tried here: a
 * credential hashed with an older key is left to the grant, which then tries the older keys only.
 */
export function readWithClient<T extends { readonly clientId: string }>(
  context: ServerContext,
  plaintext: string | undefined,
  repository: ReadableWithClient<T>,
): ClientLookupWithCredential<T> {
  let presented: PresentedCredential<T> | null = null
  const clients = context.storage.repositories.clients
  return {
    async findClient(clientId) {
      if (plaintext === undefined || plaintext === '' || repository.findByHashWithClient === undefined) {
        return clients.findById(clientId)
      }
      const hashKeyId = context.hasher.currentKeyId
      const hash = await context.hasher.hashWithKey(plaintext, hashKeyId)
      const read = await repository.findByHashWithClient(hash, clientId)
      if (read === null) return null
      // A storage answering with another client's row must not get it authenticated as this one.
      if (read.client.id !== clientId) return clients.findById(clientId)
      const { record } = read
      presented =
        record !== null && record.clientId === clientId
          ? { kind: 'found', found: { record, hash } }
          : { kind: 'absent', hashKeyId }
      return read.client
    },
    presented: () => presented,
  }
}

/**
 * The presented credential: as the client lookup found it, or found by its hash (with the keys
 * the lookup did not try), or `null`.
 */
export function findPresented<T>(
  context: ServerContext,
  plaintext: string,
  presented: PresentedCredential<T> | null,
  find: (hash: string) => Promise<T | null>,
): Promise<FoundByHash<T> | null> {
  if (presented?.kind === 'found') return Promise.resolve(presented.found)
  return findByHash(context, plaintext, find, presented?.kind === 'absent' ? presented.hashKeyId : null)
}
