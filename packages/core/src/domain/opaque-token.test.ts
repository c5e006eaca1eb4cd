import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatOpaqueToken, hasJwtShape, hasOpaqueTokenShape, OPAQUE_TOKEN_BYTES } from './opaque-token.js'

const prefix = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/)
const tokenBytes = fc.uint8Array({ minLength: OPAQUE_TOKEN_BYTES, maxLength: OPAQUE_TOKEN_BYTES })

function decodeBody(body: string): Uint8Array {
  return new Uint8Array(Buffer.from(body, 'base64url'))
}

describe('opaque tokens', () => {
  it('round trip: a formatted token has the shape of its prefix and its body decodes to the bytes', () => {
    fc.assert(
      fc.property(prefix, tokenBytes, (p, bytes) => {
        const token = formatOpaqueToken(p, bytes)
        expect(hasOpaqueTokenShape(token, p)).toBe(true)
        expect(token.startsWith(p)).toBe(true)
        const body = token.slice(p.length)
        expect(body).toMatch(/^[A-Za-z0-9_-]{43}$/)
        expect(decodeBody(body)).toEqual(bytes)
        expect(hasJwtShape(token)).toBe(false)
      }),
    )
  })

  it('distinct bytes give distinct tokens', () => {
    fc.assert(
      fc.property(prefix, tokenBytes, tokenBytes, (p, a, b) => {
        fc.pre(Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0)
        return formatOpaqueToken(p, a) !== formatOpaqueToken(p, b)
      }),
    )
  })

  it('an access token does not have the shape of a refresh token, nor the reverse', () => {
    fc.assert(
      fc.property(tokenBytes, (bytes) => {
        expect(hasOpaqueTokenShape(formatOpaqueToken('spoat_', bytes), 'sport_')).toBe(false)
        expect(hasOpaqueTokenShape(formatOpaqueToken('sport_', bytes), 'spoat_')).toBe(false)
      }),
    )
  })

  it('refuses a body of another length or with other characters', () => {
    const body = 'A'.repeat(43)
    expect(hasOpaqueTokenShape(`spoat_${body}`, 'spoat_')).toBe(true)
    for (const token of [
      `spoat_${body}A`,
      `spoat_${body.slice(1)}`,
      `spoat_${body.slice(1)}+`,
      `spoat_${body.slice(1)}=`,
      `spoat_${body.slice(1)}.`,
      body,
      `spoat_ ${body.slice(1)}`,
    ]) {
      expect(hasOpaqueTokenShape(token, 'spoat_'), token).toBe(false)
    }
  })

  it('a JWT has three non-empty base64url parts', () => {
    expect(hasJwtShape('eyJh.eyJz.c2ln')).toBe(true)
    for (const token of ['eyJh.eyJz.', 'eyJh.eyJz', 'a.b.c.d', 'a.b+.c', '']) {
      expect(hasJwtShape(token), token).toBe(false)
    }
  })
})
