import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../errors/configuration-error.js'
import { createNodeSecretHasher } from '../node/node-secret-hasher.js'
import type { HashKeys } from './hash-keys.js'
import { createWebCryptoSecretHasher } from './web-crypto-secret-hasher.js'

const OPTIONS: HashKeys = {
  keys: [
    { id: 'k2', secret: 'current-hash-key-0123456789abcdef01234567' },
    { id: 'k1', secret: new Uint8Array(32).fill(7) },
  ],
}

/** Any UTF-16 string, lone surrogates included. */
const anyString = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  maxLength: 80,
})

describe('createWebCryptoSecretHasher', () => {
  it('gives the same hashes as the node:crypto hasher, for every key and any string', async () => {
    const web = createWebCryptoSecretHasher(OPTIONS)
    const node = createNodeSecretHasher(OPTIONS)
    expect(web.keyIds).toEqual(node.keyIds)
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyString, fc.string({ unit: 'binary', maxLength: 80 })), async (secret) => {
        expect(await web.hash(secret)).toEqual(await node.hash(secret))
        for (const keyId of web.keyIds) {
          expect(await web.hashWithKey(secret, keyId)).toBe(await node.hashWithKey(secret, keyId))
        }
      }),
    )
  })

  it("each verifies the other's hashes", async () => {
    const web = createWebCryptoSecretHasher(OPTIONS)
    const node = createNodeSecretHasher(OPTIONS)
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 80 }), async (secret) => {
        expect(await web.verify(secret, await node.hash(secret))).toBe(true)
        expect(await node.verify(secret, await web.hash(secret))).toBe(true)
      }),
    )
  })

  it('hashes with the current key, the first one unless named', async () => {
    const web = createWebCryptoSecretHasher(OPTIONS)
    expect(web.currentKeyId).toBe('k2')
    expect(web.keyIds).toEqual(['k2', 'k1'])
    expect((await web.hash('secret')).keyId).toBe('k2')
    const named = createWebCryptoSecretHasher({ ...OPTIONS, currentKeyId: 'k1' })
    expect(named.keyIds).toEqual(['k1', 'k2'])
    expect(await named.hash('secret')).toEqual({ hash: await web.hashWithKey('secret', 'k1'), keyId: 'k1' })
  })

  it('hashes are keyed: another key gives another hash', async () => {
    const web = createWebCryptoSecretHasher(OPTIONS)
    expect(await web.hashWithKey('secret', 'k1')).not.toBe(await web.hashWithKey('secret', 'k2'))
  })

  it('verifies hashes made with an older configured key, so keys can rotate', async () => {
    const before = createWebCryptoSecretHasher({ keys: [OPTIONS.keys[1]!] })
    const after = createWebCryptoSecretHasher(OPTIONS)
    const stored = await before.hash('client-secret')
    expect(stored.keyId).toBe('k1')
    expect(await after.verify('client-secret', stored)).toBe(true)
    expect(await after.verify('other-secret', stored)).toBe(false)
  })

  it('does not verify against a key that is no longer configured', async () => {
    const web = createWebCryptoSecretHasher(OPTIONS)
    const hash = await web.hashWithKey('secret', 'k1')
    expect(await web.verify('secret', { hash, keyId: 'gone' })).toBe(false)
    await expect(web.hashWithKey('secret', 'gone')).rejects.toThrow()
  })

  it('refuses keys shorter than 32 bytes, duplicate ids and an unknown current key', () => {
    expect(() => createWebCryptoSecretHasher({ keys: [{ id: 'short', secret: 'x'.repeat(31) }] })).toThrow(
      ConfigurationError,
    )
    expect(() =>
      createWebCryptoSecretHasher({
        keys: [
          { id: 'k', secret: 'x'.repeat(32) },
          { id: 'k', secret: 'y'.repeat(32) },
        ],
      }),
    ).toThrow(ConfigurationError)
    expect(() => createWebCryptoSecretHasher({ ...OPTIONS, currentKeyId: 'nope' })).toThrow(
      ConfigurationError,
    )
    expect(() => createWebCryptoSecretHasher({ keys: [] })).toThrow(ConfigurationError)
  })
})
