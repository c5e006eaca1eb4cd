import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatScope,
  isScopeSubset,
  isScopeToken,
  normalizeScopes,
  parseScope,
  scopesMissingFrom,
} from './scope.js'

/** A scope token as RFC 6749 §3.3 defines it: %x21 / %x23-5B / %x5D-7E. */
const scopeToken = fc.stringMatching(/^[\x21\x23-\x5B\x5D-\x7E]{1,16}$/)
const scopeSet = fc.uniqueArray(scopeToken, { maxLength: 8 })
/** Characters a scope token may not hold. */
const forbidden = fc.constantFrom('"', '\\', '\t', '\n', '\u0000', '\u007f', 'é', '\u00a0', '☃')

describe('parseScope and formatScope', () => {
  it('round trip: formatting a scope set and parsing it back gives the same set', () => {
    fc.assert(
      fc.property(scopeSet, (scopes) => {
        const normalized = normalizeScopes(scopes)
        expect(parseScope(formatScope(normalized))).toEqual(normalized)
      }),
    )
  })

  it('round trip: a parsed scope formats to a string that parses to the same scopes', () => {
    fc.assert(
      fc.property(fc.array(scopeToken, { minLength: 1, maxLength: 8 }), (tokens) => {
        const parsed = parseScope(tokens.join(' '))
        expect(parsed).not.toBeNull()
        expect(parseScope(formatScope(parsed!))).toEqual(parsed)
      }),
    )
  })

  it('a scope is a set: order and repetition of tokens do not change the parsed value', () => {
    fc.assert(
      fc.property(fc.array(scopeToken, { minLength: 1, maxLength: 8 }), (tokens) => {
        const shuffled = [...tokens].reverse()
        const repeated = [...tokens, ...tokens]
        const parsed = parseScope(tokens.join(' '))
        expect(parseScope(shuffled.join(' '))).toEqual(parsed)
        expect(parseScope(repeated.join(' '))).toEqual(parsed)
        expect(new Set(parsed)).toEqual(new Set(tokens))
        expect(parsed!.length).toBe(new Set(tokens).size)
      }),
    )
  })

  it('parses the seed example', () => {
    expect(parseScope('invoices.write invoices.read')).toEqual(['invoices.read', 'invoices.write'])
    expect(formatScope(['invoices.read', 'invoices.write'])).toBe('invoices.read invoices.write')
  })

  it('an empty scope string is the empty set', () => {
    expect(parseScope('')).toEqual([])
  })

  it.each([
    ' invoices.read',
    'invoices.read ',
    'invoices.read  invoices.write',
    ' ',
    'invoices.read\tinvoices.write',
    'invoices.read\ninvoices.write',
    'a"b',
    'a\\b',
    'caf\u00e9',
    'a\u0000b',
    'a\u007fb',
  ])('refuses the malformed scope string %j', (value) => {
    expect(parseScope(value)).toBeNull()
  })

  it('refuses any scope string holding a character outside the scope-token set', () => {
    fc.assert(
      fc.property(
        fc.array(scopeToken, { minLength: 1, maxLength: 4 }),
        forbidden,
        fc.nat(),
        (tokens, bad, at) => {
          const value = tokens.join(' ')
          const index = at % (value.length + 1)
          const broken = value.slice(0, index) + bad + value.slice(index)
          expect(parseScope(broken)).toBeNull()
        },
      ),
    )
  })

  it('refuses leading, trailing and repeated spaces', () => {
    fc.assert(
      fc.property(fc.array(scopeToken, { minLength: 1, maxLength: 4 }), (tokens) => {
        expect(parseScope(` ${tokens.join(' ')}`)).toBeNull()
        expect(parseScope(`${tokens.join(' ')} `)).toBeNull()
        expect(parseScope([...tokens, ...tokens].join('  '))).toBeNull()
      }),
    )
  })
})

describe('isScopeToken', () => {
  it('accepts exactly the RFC 6749 §3.3 scope-token characters', () => {
    const codes = [...Array.from({ length: 0x800 }, (_, code) => code), 0xfeff, 0x1f600]
    for (const code of codes) {
      const allowed = code === 0x21 || (code >= 0x23 && code <= 0x5b) || (code >= 0x5d && code <= 0x7e)
      expect(isScopeToken(String.fromCodePoint(code)), `U+${code.toString(16)}`).toBe(allowed)
    }
  })

  it('refuses the empty string', () => {
    expect(isScopeToken('')).toBe(false)
  })
})

describe('isScopeSubset', () => {
  it('holds exactly when every scope of the first set is in the second', () => {
    fc.assert(
      fc.property(scopeSet, scopeSet, (a, b) => {
        expect(isScopeSubset(a, b)).toBe(a.every((scope) => b.includes(scope)))
      }),
    )
  })

  it('every sub-array of a scope set is a subset of it, in any order', () => {
    fc.assert(
      fc.property(
        scopeSet.chain((set) => fc.tuple(fc.constant(set), fc.shuffledSubarray(set))),
        ([set, sub]) => {
          expect(isScopeSubset(sub, set)).toBe(true)
        },
      ),
    )
  })

  it('adding one scope the superset lacks breaks the subset', () => {
    fc.assert(
      fc.property(scopeSet, scopeToken, (set, extra) => {
        fc.pre(!set.includes(extra))
        expect(isScopeSubset([...set, extra], set)).toBe(false)
      }),
    )
  })

  it('is reflexive and transitive, and the empty set is a subset of everything', () => {
    fc.assert(
      fc.property(scopeSet, scopeSet, scopeSet, (a, b, c) => {
        expect(isScopeSubset(a, a)).toBe(true)
        expect(isScopeSubset([], a)).toBe(true)
        if (isScopeSubset(a, b) && isScopeSubset(b, c)) expect(isScopeSubset(a, c)).toBe(true)
      }),
    )
  })

  it('scopesMissingFrom lists exactly the required scopes that are not granted', () => {
    fc.assert(
      fc.property(scopeSet, scopeSet, (required, granted) => {
        const missing = scopesMissingFrom(required, granted)
        expect(missing).toEqual(required.filter((scope) => !granted.includes(scope)))
        expect(missing.length === 0).toBe(isScopeSubset(required, granted))
      }),
    )
  })
})

describe('normalizeScopes', () => {
  it('deduplicates and sorts, so equal sets compare equal', () => {
    fc.assert(
      fc.property(fc.array(scopeToken, { maxLength: 8 }), (tokens) => {
        const normalized = normalizeScopes(tokens)
        expect(normalized).toEqual([...new Set(tokens)].sort())
        expect(normalizeScopes([...tokens].reverse())).toEqual(normalized)
        expect(normalizeScopes(normalized)).toEqual(normalized)
      }),
    )
  })
})
