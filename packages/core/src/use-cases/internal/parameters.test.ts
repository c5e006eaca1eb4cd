import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors/oauth-error.js'
import { MAX_PARAMETER_LENGTH, readParameters, requireParameter } from './parameters.js'

function errorOf(read: () => unknown): OAuthError {
  try {
    read()
  } catch (error) {
    if (error instanceof OAuthError) return error
    throw error
  }
  throw new Error('expected an OAuthError')
}

describe('readParameters', () => {
  it('reads URLSearchParams and records into the same map', () => {
    const expected = new Map([
      ['client_id', 'abc'],
      ['scope', 'a b'],
    ])
    expect(readParameters(new URLSearchParams('client_id=abc&scope=a+b'))).toEqual(expected)
    expect(readParameters({ client_id: 'abc', scope: 'a b' })).toEqual(expected)
  })

  it('reads no input as no parameters', () => {
    expect(readParameters(undefined).size).toBe(0)
  })

  it('refuses a parameter repeated in URLSearchParams (RFC 6749 §3.1)', () => {
    const error = errorOf(() => readParameters(new URLSearchParams('state=a&client_id=x&state=b')))
    expect(error.code).toBe('invalid_request')
    expect(error.description).toBe('The state parameter must not be repeated.')
    expect(error.redirect).toBeUndefined()
  })

  it('refuses a repeated parameter even when one of the values is empty', () => {
    expect(errorOf(() => readParameters(new URLSearchParams('scope=&scope=a'))).code).toBe('invalid_request')
    expect(errorOf(() => readParameters(new URLSearchParams('scope=a&scope='))).code).toBe('invalid_request')
  })

  it('refuses a parameter given as an array, as body parsers hand over a repeated one', () => {
    for (const value of [['a', 'b'], ['a'], []]) {
      const error = errorOf(() => readParameters({ redirect_uri: value }))
      expect(error.code).toBe('invalid_request')
      expect(error.description).toBe('The redirect_uri parameter must not be repeated.')
    }
  })

  it('refuses any repeated parameter name, whatever it is', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z_]{1,20}$/), fc.string(), fc.string(), (name, first, second) => {
        const params = new URLSearchParams()
        params.append(name, first)
        params.append(name, second)
        expect(() => readParameters(params)).toThrow(OAuthError)
      }),
    )
  })

  it('refuses a value that is not a string', () => {
    for (const value of [42, true, null, { nested: 'x' }]) {
      expect(errorOf(() => readParameters({ code: value })).description).toBe(
        'The code parameter must be a string.',
      )
    }
  })

  it('skips a parameter whose value is undefined', () => {
    expect(readParameters({ code: undefined, state: 's' })).toEqual(new Map([['state', 's']]))
  })

  it('counts an empty value as absent (RFC 6749 §3.1)', () => {
    expect(readParameters({ scope: '', state: 's' }).has('scope')).toBe(false)
    expect(readParameters(new URLSearchParams('scope=&state=s')).has('scope')).toBe(false)
  })

  it(`refuses a value longer than ${MAX_PARAMETER_LENGTH} characters`, () => {
    expect(readParameters({ state: 'x'.repeat(MAX_PARAMETER_LENGTH) }).get('state')).toHaveLength(
      MAX_PARAMETER_LENGTH,
    )
    expect(errorOf(() => readParameters({ state: 'x'.repeat(MAX_PARAMETER_LENGTH + 1) })).description).toBe(
      'The state parameter is too long.',
    )
  })

  it.each(['\u0000', '\n', '\r', '\t', '\u001f', '\u007f'])(
    'refuses a value holding the control character %j',
    (c) => {
      expect(errorOf(() => readParameters({ state: `a${c}b` })).code).toBe('invalid_request')
    },
  )

  it('does not echo a strange parameter name back', () => {
    const error = errorOf(() => readParameters({ '<script>alert(1)</script>': ['a', 'b'] }))
    expect(error.description).toBe('The same parameter must not be repeated.')
  })
})

describe('requireParameter', () => {
  it('returns a present parameter and refuses an absent one with invalid_request', () => {
    const parameters = readParameters({ code: 'abc', state: '' })
    expect(requireParameter(parameters, 'code')).toBe('abc')
    const error = errorOf(() => requireParameter(parameters, 'state'))
    expect(error.code).toBe('invalid_request')
    expect(error.description).toBe('The state parameter is required.')
  })
})
