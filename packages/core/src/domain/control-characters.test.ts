import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTestClient, createTestServer, rejectionOf, S256_PKCE } from '../test-support/test-server.js'
import { hasControlCharacter, hasLoneSurrogate } from './control-characters.js'

describe('text that storage could not keep exactly is refused', () => {
  it('finds lone surrogates, and only those', () => {
    expect(hasLoneSurrogate('a\uD800b')).toBe(true)
    expect(hasLoneSurrogate('a\uDC00')).toBe(true)
    expect(hasLoneSurrogate('\uDC00\uD800')).toBe(true)
    expect(hasLoneSurrogate('emoji 😀 ok')).toBe(false)
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => !hasLoneSurrogate(text)))
  })

  it('finds control characters', () => {
    expect(hasControlCharacter('a\u0000b')).toBe(true)
    expect(hasControlCharacter('line\nbreak')).toBe(true)
    expect(hasControlCharacter('plain text')).toBe(false)
  })

  it('refuses a user id with a lone surrogate, which a database would turn into U+FFFD', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const request = await server.validateAuthorizationRequest({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: 'https://client.example.com/callback',
      scope: 'invoices.read',
      ...S256_PKCE,
    })
    const error = await rejectionOf(server.approveAuthorizationRequest(request, 'a\uD800b'))
    expect(error.name).toBe('SpOAuthError')
  })

  it('refuses a client name with a lone surrogate', async () => {
    const { server } = createTestServer()
    const error = await rejectionOf(
      server.createClient({
        name: 'ERP \uDC00',
        redirectUris: ['https://client.example.com/callback'],
        allowedGrants: ['authorization_code'],
        allowedScopes: ['invoices.read'],
        confidential: true,
      }),
    )
    expect(error).toMatchObject({ code: 'invalid_request' })
  })
})
