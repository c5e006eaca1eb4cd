import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../errors/configuration-error.js'
import { createNodeSecretHasher } from './node-secret-hasher.js'

const OPTIONS = {
  keys: [
    { id: 'k2', secret: 'current-hash-key-0123456789abcdef01234567' },
    { id: 'k1', secret: 'older-hash-key-0123456789abcdef0123456789' },
  ],
}

describe('createNodeSecretHasher', () => {
  it('verifies exactly the secret that was hashed', async () => {
    const hasher = createNodeSecretHasher(OPTIONS)
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 64 }), fc.string({ maxLength: 64 }), async (secret, other) => {
        const stored = await hasher.hash(secret)
        expect(await hasher.verify(secret, stored)).toBe(true)
        expect(await hasher.verify(other, stored)).toBe(other === secret)
      }),
    )
  })

  it('gives a base64url SHA-256 HMAC (43 characters)', async () => {
    const { hash } = await createNodeSecretHasher(OPTIONS).hash('secret')
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('verifies hashes of older configured keys, and not of unknown ones', async () => {
    const hasher = createNodeSecretHasher(OPTIONS)
    const old = await hasher.hashWithKey('secret', 'k1')
    expect(await hasher.verify('secret', { hash: old, keyId: 'k1' })).toBe(true)
    expect(await hasher.verify('secret', { hash: old, keyId: 'k2' })).toBe(false)
    expect(await hasher.verify('secret', { hash: old, keyId: 'gone' })).toBe(false)
    await expect(hasher.hashWithKey('secret', 'gone')).rejects.toThrow()
  })

  it('a stored hash of another length never verifies', async () => {
    const hasher = createNodeSecretHasher(OPTIONS)
    expect(await hasher.verify('secret', { hash: 'short', keyId: 'k2' })).toBe(false)
  })

  it('refuses keys shorter than 32 bytes', () => {
    expect(() => createNodeSecretHasher({ keys: [{ id: 'k', secret: 'x'.repeat(31) }] })).toThrow(
      ConfigurationError,
    )
  })
})
