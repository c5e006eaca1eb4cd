import { type AuthorizationServer, createAuthorizationServer, type Storage, webCrypto } from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'

/**
 * A server on in-memory storage whose every repository call rejects with `failure`, as with a
 * dropped table: for the adapters' tests of what a failure on the server's side does.
 */
export function createBrokenServer(failure: unknown): AuthorizationServer {
  const storage = createMemoryStorage()
  const repositories = new Proxy(storage.repositories, {
    get: (target, table) =>
      new Proxy(Reflect.get(target, table) as object, {
        get: () => async () => {
          throw failure
        },
      }),
  })
  const broken: Storage = { repositories, unitOfWork: storage.unitOfWork }
  return createAuthorizationServer({
    issuer: 'http://127.0.0.1',
    storage: broken,
    crypto: webCrypto({ keys: [{ id: 'k1', secret: 'broken-server-hash-key-0123456789abcd' }] }),
  })
}

/** What a test sends as the client of a broken server: the client id and secret, never stored. */
export const BROKEN_SERVER_CLIENT = {
  id: '6f1d3a52-3c1e-4d7a-9d0e-2b7c5f1e8a90',
  secret: 'a-client-secret-the-logs-must-never-see',
} as const
