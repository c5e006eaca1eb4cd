import { describe, expect, it } from 'vitest'
import type { Storage } from '../config/options.js'
import { webCrypto } from '../crypto/web-crypto.js'
import { StorageUnavailableError } from '../errors/storage-unavailable-error.js'
import { createOAuthHttp } from '../http/oauth-http.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import { createBrokenStorage } from '../test-support/broken-storage.js'
import { createTestServer } from '../test-support/test-server.js'

/** Memory storage whose reads fail with `failure`, and that reports `pending` migrations. */
function storageWith(options: { failure?: Error; pending?: readonly string[] }): Storage {
  const extra = options.pending ? { pendingMigrations: async () => options.pending! } : {}
  if (options.failure) return createBrokenStorage(() => options.failure, extra)
  const storage = createMemoryStorage()
  return { repositories: storage.repositories, unitOfWork: storage.unitOfWork, ...extra }
}

describe('server.health()', () => {
  it('on a working storage with every migration run: healthy, signing keys not used with opaque tokens', async () => {
    const { server } = createTestServer({ storage: storageWith({ pending: [] }) })
    expect(await server.health()).toEqual({
      healthy: true,
      checks: { storage: 'ok', migrations: 'ok', signingKeys: 'not used' },
      pendingMigrations: [],
      problems: [],
    })
  })

  it('migrations unknown when the storage cannot tell (memory), and still healthy', async () => {
    const { server } = createTestServer()
    expect((await server.health()).checks.migrations).toBe('unknown')
    expect((await server.health()).healthy).toBe(true)
  })

  it('pending migrations make it unhealthy, named', async () => {
    const { server } = createTestServer({ storage: storageWith({ pending: ['0011_next'] }) })
    expect(await server.health()).toMatchObject({
      healthy: false,
      checks: { migrations: 'pending' },
      pendingMigrations: ['0011_next'],
      problems: ['migrations: not yet run: 0011_next'],
    })
  })

  it('an unreachable database is unavailable, another storage error failed; never a rejection', async () => {
    const unreachable = createTestServer({
      storage: storageWith({
        failure: new StorageUnavailableError({ message: 'PostgreSQL at db:5432 is unreachable' }),
      }),
    }).server
    expect(await unreachable.health()).toMatchObject({
      healthy: false,
      checks: { storage: 'unavailable' },
      problems: ['storage: PostgreSQL at db:5432 is unreachable'],
    })
    const broken = createTestServer({
      storage: storageWith({ failure: new Error('relation does not exist') }),
    }).server
    expect((await broken.health()).checks.storage).toBe('failed')
  })

  it('with JWT access tokens: a signing key stored under a key-encryption key no longer configured fails the check', async () => {
    const storage = createMemoryStorage()
    const own = { keys: [{ id: 'kek-1', secret: 'a-key-encryption-key-0123456789abcdef' }] }
    const before = createTestServer({ storage, accessTokenFormat: 'jwt', signingKeyEncryption: own }).server
    await before.rotateSigningKey()
    expect((await before.health()).checks.signingKeys).toBe('ok')
    const after = createTestServer({
      storage,
      accessTokenFormat: 'jwt',
      crypto: webCrypto({ keys: [{ id: 'k9', secret: 'some-other-hash-key-0123456789abcdef' }] }),
    }).server
    const report = await after.health()
    expect(report).toMatchObject({ healthy: false, checks: { signingKeys: 'failed' } })
    expect(report.problems[0]).toMatch(/^signingKeys: /)
  })
})

describe('the healthPath route', () => {
  it('answers 200 with the statuses when healthy, 503 when not, and never the problems', async () => {
    for (const [storage, status] of [
      [storageWith({ pending: [] }), 200],
      [
        storageWith({
          failure: new StorageUnavailableError({ message: 'PostgreSQL at db:5432 is unreachable' }),
        }),
        503,
      ],
    ] as const) {
      const { server } = createTestServer({ storage })
      const http = createOAuthHttp(server, { healthPath: '/oauth/health', onError: () => {} })
      const route = http.route('GET', '/oauth/health')!
      expect(route).toMatchObject({ name: 'health', methods: ['GET', 'HEAD'] })
      const outcome = await http.handle(
        route,
        { method: 'GET', path: '/oauth/health', query: '', headers: {}, body: null },
        null,
      )
      const response = outcome.kind === 'respond' ? outcome.response : null
      expect(response?.status).toBe(status)
      expect(response?.headers['cache-control']).toBe('no-store')
      const body = JSON.parse(response!.body!)
      expect(body.status).toBe(status === 200 ? 'ok' : 'unavailable')
      expect(body).not.toHaveProperty('problems')
      expect(response!.body).not.toContain('db:5432')
    }
  })

  it('is not served unless asked for, and must be an absolute path', () => {
    const { server } = createTestServer()
    expect(createOAuthHttp(server).route('GET', '/oauth/health')).toBeNull()
    expect(() => createOAuthHttp(server, { healthPath: 'health' })).toThrow(
      /healthPath: must be an absolute path/,
    )
  })
})
