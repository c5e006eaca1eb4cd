import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../errors/configuration-error.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import { nodeCrypto } from '../node/node-crypto.js'
import { createAuthorizationServer } from '../server/create-authorization-server.js'
import { resolveHashKeys } from './hash-keys.js'
import { webCrypto } from './web-crypto.js'

const SECRET = 'a-hash-key-of-at-least-thirty-two-bytes!'

/** What `new ConfigurationError` lists, from whatever `run` throws. */
function problemsOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError)
    return (error as Error).message
  }
  throw new Error('expected a ConfigurationError')
}

describe('resolveHashKeys', () => {
  it('a secret read from an unset environment variable is a ConfigurationError naming the key, not a TypeError', () => {
    const unset = process.env.SP_OAUTH_HASH_KEY_THAT_IS_NOT_SET
    const message = problemsOf(() =>
      createAuthorizationServer({
        issuer: 'https://auth.example.com',
        storage: createMemoryStorage(),
        crypto: webCrypto({ keys: [{ id: '2026-01', secret: unset! }] }),
      }),
    )
    expect(message).toContain('crypto.keys[0].secret: must be a string or bytes, got undefined')
    expect(message).toContain('is the variable it is read from set?')
    expect(message).not.toContain('currentKeyId')
  })

  it('the same through nodeCrypto, and for a null secret', () => {
    expect(problemsOf(() => nodeCrypto({ keys: [{ id: 'k1', secret: null as never }] }))).toContain(
      'crypto.keys[0].secret: must be a string or bytes, got null',
    )
  })

  it('missing keys and a non-string id are problems too', () => {
    expect(problemsOf(() => resolveHashKeys({} as never))).toContain(
      'crypto.keys: at least one key is required',
    )
    expect(problemsOf(() => resolveHashKeys({ keys: [{ id: 7 as never, secret: SECRET }] }))).toContain(
      'crypto.keys[0].id: use 1-64 letters',
    )
  })

  it('valid keys resolve, current key first', () => {
    const resolved = resolveHashKeys({
      keys: [
        { id: 'old', secret: SECRET },
        { id: 'new', secret: SECRET },
      ],
      currentKeyId: 'new',
    })
    expect(resolved.currentKeyId).toBe('new')
    expect([...resolved.keys.keys()]).toEqual(['new', 'old'])
  })
})
