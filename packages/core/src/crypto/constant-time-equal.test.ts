import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { constantTimeEqual } from './constant-time-equal.js'

describe('constantTimeEqual', () => {
  it('agrees with === on any two strings', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => constantTimeEqual(a, b) === (a === b)))
  })

  it('is true for a string and its copy', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (a) => constantTimeEqual(a, `${a}`)))
  })

  it('is false when exactly one character differs, wherever it is', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 1, max: 0xffff }),
        (a, i, delta) => {
          const index = i % a.length
          const changed = String.fromCharCode((a.charCodeAt(index) + delta) % 0x10000)
          const b = a.slice(0, index) + changed + a.slice(index + 1)
          return constantTimeEqual(a, b) === false
        },
      ),
    )
  })

  it('is false for a prefix or an extension, NUL padding included', () => {
    expect(constantTimeEqual('abc', 'abcd')).toBe(false)
    expect(constantTimeEqual('abcd', 'abc')).toBe(false)
    expect(constantTimeEqual('', '\u0000')).toBe(false)
    expect(constantTimeEqual('a', 'a\u0000')).toBe(false)
    expect(constantTimeEqual('', '')).toBe(true)
  })
})
