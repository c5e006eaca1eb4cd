import type { Storage } from '../config/options.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'

/**
 * In-memory storage whose every repository call rejects with `failure()`, as with a dropped table or
 * a database out of reach; its unit of work is the working one underneath.
 */
export function createBrokenStorage(failure: () => unknown, extra: Partial<Storage> = {}): Storage {
  const storage = createMemoryStorage()
  const repositories = new Proxy(storage.repositories, {
    get: (target, table) =>
      new Proxy(Reflect.get(target, table) as object, {
        get: () => async () => {
          throw failure()
        },
      }),
  })
  return { repositories, unitOfWork: storage.unitOfWork, ...extra }
}
