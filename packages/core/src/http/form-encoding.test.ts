import { describe, expect, it } from 'vitest'
import { OAuthError } from '../errors/oauth-error.js'
import { parseFormBody, parseUrlEncoded } from './form-encoding.js'

const FORM = 'application/x-www-form-urlencoded'
const bytes = (text: string) => new TextEncoder().encode(text)

function refusal(call: () => unknown): OAuthError {
  try {
    call()
  } catch (error) {
    if (error instanceof OAuthError) return error
    throw error
  }
  throw new Error('expected an OAuthError')
}

describe('parseUrlEncoded', () => {
  it('decodes + as space and escapes as UTF-8, and keeps every value of a repeated name', () => {
    expect(parseUrlEncoded('a=b+c&n=%C3%A9%F0%9F%A6%8A&flag&a=d', 'query')).toEqual({
      a: ['b c', 'd'],
      n: 'é🦊',
      flag: '',
    })
  })

  it('an empty string and empty pairs give nothing', () => {
    expect(parseUrlEncoded('', 'query')).toEqual({})
    expect(parseUrlEncoded('&&x=1&', 'query')).toEqual({ x: '1' })
  })

  it.each([
    ['a broken escape', 'a=%zz'],
    ['a truncated escape', 'a=%4'],
    ['an escape of invalid UTF-8', 'a=%C3%28'],
    ['a lone surrogate half', 'a=%ED%A0%80'],
    ['a raw space', 'a=b c'],
    ['a raw non-ASCII character', 'a=é'],
    ['a raw control character', 'a=\u0000'],
  ])('refuses %s with invalid_request, never guessing', (_, text) => {
    const error = refusal(() => parseUrlEncoded(text, 'query'))
    expect(error.code).toBe('invalid_request')
    expect(error.description).toContain('query string')
  })

  it('a name like __proto__ is a plain parameter', () => {
    const parsed = parseUrlEncoded('__proto__=x&constructor=y', 'query')
    expect(Object.entries(parsed)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ])
  })
})

describe('parseFormBody', () => {
  it('reads a form body, with or without a UTF-8 charset and in any letter case', () => {
    expect(parseFormBody(FORM, bytes('grant_type=client_credentials'))).toEqual({
      grant_type: 'client_credentials',
    })
    expect(parseFormBody('Application/X-WWW-Form-Urlencoded; charset="UTF-8"', bytes('a=1'))).toEqual({
      a: '1',
    })
    expect(parseFormBody(FORM, null)).toEqual({})
  })

  it.each([
    ['JSON', 'application/json'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['text', 'text/plain'],
    ['no content type', undefined],
    ['a prefix of the form type', 'application/x-www-form-urlencodedx'],
  ])('refuses %s with invalid_request', (_, contentType) => {
    expect(refusal(() => parseFormBody(contentType, bytes('a=1'))).code).toBe('invalid_request')
  })

  it('refuses a charset other than UTF-8', () => {
    expect(refusal(() => parseFormBody(`${FORM}; charset=iso-8859-1`, bytes('a=1'))).description).toContain(
      'UTF-8',
    )
  })

  it('refuses bytes that are not UTF-8, and escapes that are not', () => {
    expect(refusal(() => parseFormBody(FORM, new Uint8Array([0x61, 0x3d, 0xc3, 0x28]))).code).toBe(
      'invalid_request',
    )
    expect(refusal(() => parseFormBody(FORM, bytes('a=%FF'))).description).toContain('request body')
  })
})
