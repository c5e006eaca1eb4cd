import { describe, expect, it } from 'vitest'
import { webCrypto } from '../crypto/web-crypto.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import { nodeCrypto } from '../node/node-crypto.js'
import { createAuthorizationServer } from '../server/create-authorization-server.js'
import { createTestClient, createTestServer, HASH_SECRET, obtainTokens } from '../test-support/test-server.js'
import type { AuthorizationServerOptions } from './options.js'
import { resolveConfig } from './resolve-config.js'

/** The least a server needs: an issuer, storage and hash keys. */
function minimal(overrides: Partial<AuthorizationServerOptions> = {}): AuthorizationServerOptions {
  return {
    issuer: 'https://auth.example.com',
    storage: createMemoryStorage(),
    crypto: webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }),
    ...overrides,
  }
}

function configurationError(build: () => unknown): ConfigurationError {
  try {
    build()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError)
    return error as ConfigurationError
  }
  throw new Error('expected a ConfigurationError')
}

/** The problems naming `path` (each problem reads `path: message`). */
function problemsAt(error: ConfigurationError, path: string): readonly string[] {
  return error.problems.filter((problem) => problem.startsWith(`${path}: `))
}

describe('resolveConfig defaults (the seed)', () => {
  it('applies every default of the seed', () => {
    const config = createAuthorizationServer(minimal()).config
    expect(config).toMatchObject({
      issuer: 'https://auth.example.com',
      authCodeTtlMinutes: 5,
      accessTokenTtlMinutes: 60,
      refreshTokenTtlDays: 30,
      refreshTokenReuseGraceSeconds: 10,
      refreshTokenFamilyLifetimeDays: null,
      clientCacheSeconds: 30,
      pkceRequiredFor: 'all-clients',
      pkceAllowPlain: false,
      accessTokenFormat: 'opaque',
      accessTokenPrefix: 'spoat_',
      refreshTokenPrefix: 'sport_',
      scopes: null,
      defaultScopes: null,
      jwtAudience: 'https://auth.example.com',
      jwtCheckRevocation: true,
      jwtSigningAlgorithm: 'ES256',
      signingKeyCacheSeconds: 30,
      realm: 'oauth',
    })
  })

  it('issues opaque tokens with the spoat_ and sport_ prefixes, living 60 minutes and 30 days, by default', async () => {
    const { server, storage, clock } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    expect(tokens.access_token).toMatch(/^spoat_[A-Za-z0-9_-]{43}$/)
    expect(tokens.refresh_token).toMatch(/^sport_[A-Za-z0-9_-]{43}$/)
    expect(tokens.expires_in).toBe(3600)
    const { hash } = await server.context.hasher.hash(tokens.refresh_token!)
    const refresh = await storage.repositories.refreshTokens.findByHash(hash)
    expect(refresh!.expiresAt).toEqual(new Date(clock.now().getTime() + 30 * 86_400_000))
  })

  it('takes the given settings over the defaults', () => {
    const config = createAuthorizationServer(
      minimal({
        authCodeTtlMinutes: 10,
        accessTokenTtlMinutes: 15,
        refreshTokenTtlDays: 7,
        pkce: { requiredFor: 'all-clients', allowPlain: false },
        tokenPrefixes: { accessToken: 'at_', refreshToken: 'rt_' },
        scopes: ['invoices.write', 'invoices.read'],
        defaultScopes: ['invoices.read'],
        realm: 'partner-api',
      }),
    ).config
    expect(config).toMatchObject({
      authCodeTtlMinutes: 10,
      accessTokenTtlMinutes: 15,
      refreshTokenTtlDays: 7,
      pkceRequiredFor: 'all-clients',
      pkceAllowPlain: false,
      accessTokenPrefix: 'at_',
      refreshTokenPrefix: 'rt_',
      scopes: ['invoices.read', 'invoices.write'],
      defaultScopes: ['invoices.read'],
      realm: 'partner-api',
    })
  })

  it('builds a new, frozen config', () => {
    const options = minimal({ scopes: ['invoices.read'] })
    const config = resolveConfig(options)
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.scopes)).toBe(true)
    expect(config).not.toBe(options)
    expect(Object.isFrozen(createAuthorizationServer(options).config)).toBe(true)
  })
})

describe('resolveConfig validation', () => {
  it('throws ONE ConfigurationError naming every bad setting by its path', () => {
    const error = configurationError(() =>
      createAuthorizationServer({
        issuer: 'http://auth.example.com',
        storage: createMemoryStorage(),
        crypto: webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }),
        authCodeTtlMinutes: 0,
        accessTokenTtlMinutes: -1,
        refreshTokenTtlDays: Number.NaN,
        refreshTokenReuseGraceSeconds: 301,
        refreshTokenFamilyLifetimeDays: 0,
        clientCacheSeconds: -1,
        pkce: { requiredFor: 'nobody' as never },
        accessTokenFormat: 'paseto' as never,
        tokenPrefixes: { accessToken: 'bad prefix!', refreshToken: '' },
        scopes: ['bad"scope'],
        jwt: { signingAlgorithm: 'HS256' as never, signingKeyCacheSeconds: -5 },
      }),
    )
    for (const path of [
      'issuer',
      'authCodeTtlMinutes',
      'accessTokenTtlMinutes',
      'refreshTokenTtlDays',
      'refreshTokenReuseGraceSeconds',
      'refreshTokenFamilyLifetimeDays',
      'clientCacheSeconds',
      'pkce.requiredFor',
      'accessTokenFormat',
      'tokenPrefixes.accessToken',
      'tokenPrefixes.refreshToken',
      'scopes',
      'jwt.signingAlgorithm',
      'jwt.signingKeyCacheSeconds',
    ]) {
      expect(problemsAt(error, path), path).not.toHaveLength(0)
    }
    for (const problem of error.problems) expect(problem).toMatch(/^[A-Za-z.[\]0-9]+: \S/)
    expect(error.message).toContain('issuer: ')
  })

  it('lists bad key-encryption keys in the same ConfigurationError as the other bad settings', () => {
    const error = configurationError(() =>
      createAuthorizationServer(
        minimal({
          issuer: 'http://auth.example.com',
          authCodeTtlMinutes: 0,
          signingKeyEncryption: { keys: [{ id: 'k1', secret: 'too short' }] },
        }),
      ),
    )
    expect(problemsAt(error, 'issuer')).not.toHaveLength(0)
    expect(problemsAt(error, 'authCodeTtlMinutes')).not.toHaveLength(0)
    expect(problemsAt(error, 'signingKeyEncryption.keys[0].secret')).not.toHaveLength(0)
  })

  it('names bad hash keys under crypto, from webCrypto and nodeCrypto alike', () => {
    for (const makeCrypto of [webCrypto, nodeCrypto]) {
      const error = configurationError(() => makeCrypto({ keys: [{ id: 'k1', secret: 'too short' }] }))
      expect(problemsAt(error, 'crypto.keys[0].secret')).not.toHaveLength(0)
    }
  })

  it('requires crypto, and says where to get it', () => {
    const { crypto: _unused, ...withoutCrypto } = minimal()
    const [problem] = configurationError(() => resolveConfig(withoutCrypto as never)).problems
    expect(problem).toBe(
      'crypto: required; pass webCrypto({ keys }) from @sp-oauth/core or nodeCrypto({ keys }) from @sp-oauth/core/node',
    )
  })

  it('names each missing part of a hand-made crypto', () => {
    const { secretHasher, randomSource } = webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] })
    const error = configurationError(() =>
      resolveConfig(
        minimal({ crypto: { secretHasher, randomSource: { bytes: randomSource.bytes } } as never }),
      ),
    )
    expect(problemsAt(error, 'crypto.sha256Digest')[0]).toContain('needs base64Url')
    expect(problemsAt(error, 'crypto.randomSource')[0]).toContain('needs uuid')
    expect(problemsAt(error, 'crypto.secretHasher')).toHaveLength(0)
  })

  it('accepts a crypto with its hasher replaced, the way to plug in your own', () => {
    const own = webCrypto({ keys: [{ id: 'own', secret: HASH_SECRET }] }).secretHasher
    const crypto = { ...nodeCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }), secretHasher: own }
    const server = createAuthorizationServer(minimal({ crypto }))
    expect(server.context.hasher.currentKeyId).toBe('own')
  })

  it('refuses a hasher whose current key is not among its keys', () => {
    const hasher = webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }).secretHasher
    const crypto = {
      ...webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }),
      secretHasher: { ...hasher, keyIds: [] },
    }
    expect(
      problemsAt(
        configurationError(() => resolveConfig(minimal({ crypto }))),
        'crypto.secretHasher',
      ),
    ).toEqual(['crypto.secretHasher: keyIds must include currentKeyId'])
  })

  it('requires storage with repositories and a unit of work', () => {
    const error = configurationError(() => resolveConfig(minimal({ storage: {} as never })))
    expect(problemsAt(error, 'storage')).not.toHaveLength(0)
  })

  it.each([
    'https://auth.example.com',
    'https://auth.example.com/',
    'https://auth.example.com/tenants/acme',
    'https://auth.example.com:8443',
    'http://localhost:3000',
    'http://127.0.0.1:8080',
    'http://[::1]:8080',
  ])('accepts the issuer %s', (issuer) => {
    expect(resolveConfig(minimal({ issuer })).issuer).toBe(issuer)
  })

  it.each([
    ['http on a non-loopback host', 'http://auth.example.com'],
    ['http on a look-alike host', 'http://localhost.evil.example'],
    ['a query', 'https://auth.example.com/?tenant=acme'],
    ['an empty query', 'https://auth.example.com/?'],
    ['a fragment', 'https://auth.example.com/#top'],
    ['an empty fragment', 'https://auth.example.com/#'],
    ['no scheme', 'auth.example.com'],
    ['a relative URL', '/oauth'],
    ['another scheme', 'ftp://auth.example.com'],
    ['nothing', ''],
  ])('refuses an issuer with %s (RFC 8414 §2)', (_what, issuer) => {
    const error = configurationError(() => createAuthorizationServer(minimal({ issuer })))
    expect(problemsAt(error, 'issuer')).toHaveLength(1)
  })

  it.each([0, -1, 11, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses authCodeTtlMinutes %d: positive and at most 10 (RFC 6749 §4.1.2)',
    (minutes) => {
      const error = configurationError(() => resolveConfig(minimal({ authCodeTtlMinutes: minutes })))
      expect(problemsAt(error, 'authCodeTtlMinutes')).not.toHaveLength(0)
    },
  )

  it('refuses access and refresh token prefixes that are the same', () => {
    const error = configurationError(() =>
      resolveConfig(minimal({ tokenPrefixes: { accessToken: 'tok_', refreshToken: 'tok_' } })),
    )
    expect(problemsAt(error, 'tokenPrefixes')).not.toHaveLength(0)
  })

  it.each([
    ['a quote', 'invoices"read'],
    ['a backslash', 'invoices\\read'],
    ['a space', 'invoices read'],
    ['nothing', ''],
    ['a non-ASCII character', 'factures.lecture\u00e9'],
  ])('refuses a configured scope with %s', (_what, scope) => {
    const error = configurationError(() => resolveConfig(minimal({ scopes: ['invoices.write', scope] })))
    expect(problemsAt(error, 'scopes')).not.toHaveLength(0)
  })

  it('refuses a default scope with a space', () => {
    const error = configurationError(() =>
      resolveConfig(minimal({ defaultScopes: ['invoices.read profile'] })),
    )
    expect(problemsAt(error, 'defaultScopes')).not.toHaveLength(0)
  })

  it('refuses defaultScopes outside the configured scopes', () => {
    const error = configurationError(() =>
      resolveConfig(minimal({ scopes: ['invoices.read'], defaultScopes: ['invoices.read', 'profile'] })),
    )
    expect(problemsAt(error, 'defaultScopes')).toEqual(['defaultScopes: not in scopes: profile'])
  })

  it.each(['api\r\nSet-Cookie: session=stolen', 'api\u0000', 'caf\u00e9'])(
    'refuses the realm %j, which must go into a WWW-Authenticate header as printable ASCII',
    (realm) => {
      const error = configurationError(() => resolveConfig(minimal({ realm })))
      expect(problemsAt(error, 'realm')).not.toHaveLength(0)
    },
  )

  it('accepts a realm of printable ASCII, quotes included (they are escaped)', () => {
    expect(resolveConfig(minimal({ realm: 'Partner API "v2"' })).realm).toBe('Partner API "v2"')
  })

  it.each(['false', 0])('refuses a pkce.allowPlain of %j that is not a boolean', (allowPlain) => {
    const error = configurationError(() =>
      resolveConfig(minimal({ pkce: { allowPlain: allowPlain as never } })),
    )
    expect(problemsAt(error, 'pkce.allowPlain')).not.toHaveLength(0)
  })
})
