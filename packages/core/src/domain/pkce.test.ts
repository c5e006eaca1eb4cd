import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { base64UrlEncode, isPkceValue, s256Challenge } from './pkce.js'

/** A code verifier: 43 to 128 unreserved characters (RFC 7636 §4.1). */
const verifier = fc.stringMatching(/^[A-Za-z0-9\-._~]{43,128}$/)

describe('s256Challenge', () => {
  it('gives the challenge of RFC 7636 Appendix B for its verifier', async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  it('is BASE64URL(SHA256(ASCII(verifier))), as node:crypto computes it independently', async () => {
    await fc.assert(
      fc.asyncProperty(verifier, async (value) => {
        expect(await s256Challenge(value)).toBe(
          createHash('sha256').update(value, 'ascii').digest('base64url'),
        )
      }),
    )
  })

  it('gives a challenge that is itself a valid PKCE value (43 base64url characters, no padding)', async () => {
    await fc.assert(
      fc.asyncProperty(verifier, async (value) => {
        const challenge = await s256Challenge(value)
        expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
        expect(isPkceValue(challenge)).toBe(true)
      }),
    )
  })
})

describe('base64UrlEncode', () => {
  it('encodes like node:crypto base64url: no padding, - and _ instead of + and /', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        expect(base64UrlEncode(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
      }),
    )
  })
})
