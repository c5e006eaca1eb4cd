import type { ClientAuthenticationFailedEvent, OAuthEvent, TokenIssuedEvent } from '@sp-oauth/core'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { decodeOAuthEvent, encodeOAuthEvent } from './decode-oauth-event.js'

const ISSUED: TokenIssuedEvent = {
  type: 'OAuthTokenIssued',
  id: '0b5f4f5e-3c4b-4c1e-9a51-0c1d2e3f4a5b',
  occurredAt: new Date('2026-01-02T03:04:05.678Z'),
  clientId: '5b3c6a1e-2d4f-4e8a-9b7c-1a2b3c4d5e6f',
  userId: 'user "O\'Brien" 🦊',
  grantType: 'authorization_code',
  scopes: [],
  accessTokenId: 'a1',
  refreshTokenId: null,
  familyId: 'f1',
}

const FAILED: ClientAuthenticationFailedEvent = {
  type: 'OAuthClientAuthenticationFailed',
  id: '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
  occurredAt: new Date('2099-12-31T23:59:59.999Z'),
  clientId: null,
  reason: 'unknown_client',
}

describe('decodeOAuthEvent', () => {
  it('round trip: what encodeOAuthEvent wrote comes back equal, occurredAt a Date again', () => {
    for (const event of [ISSUED, FAILED]) {
      const decoded = decodeOAuthEvent(encodeOAuthEvent(event))
      expect(decoded).toEqual(event)
      expect(decoded.occurredAt).toBeInstanceOf(Date)
    }
    expectTypeOf(decodeOAuthEvent).returns.toEqualTypeOf<OAuthEvent>()
  })

  it('the wire form is JSON with dates as ISO 8601 strings', () => {
    const json = JSON.parse(new TextDecoder().decode(encodeOAuthEvent(ISSUED)))
    expect(json.occurredAt).toBe('2026-01-02T03:04:05.678Z')
    expect(json.userId).toBe(ISSUED.userId)
  })

  it('reads text as well as bytes', () => {
    expect(decodeOAuthEvent(JSON.stringify(FAILED))).toEqual(FAILED)
  })

  it('the decoded event narrows by type', () => {
    const event = decodeOAuthEvent(encodeOAuthEvent(ISSUED))
    if (event.type !== 'OAuthTokenIssued') throw new Error('expected OAuthTokenIssued')
    expectTypeOf(event).toEqualTypeOf<TokenIssuedEvent>()
    expect(event.accessTokenId).toBe('a1')
  })

  it('refuses what is not an sp-oauth event with a TypeError that quotes no payload', () => {
    const secret = 'do-not-echo-this'
    const bad: (string | Uint8Array)[] = [
      `not json ${secret}`,
      new Uint8Array([0xff, 0xfe, 0xfd]),
      JSON.stringify([secret]),
      'null',
      JSON.stringify({ ...ISSUED, type: `OAuthSomethingElse${secret}` }),
      JSON.stringify({ ...ISSUED, id: '' }),
      JSON.stringify({ ...ISSUED, id: 7 }),
      JSON.stringify({ ...ISSUED, occurredAt: secret }),
      JSON.stringify({ ...ISSUED, occurredAt: '2026-13-45T99:99:99.000Z' }),
      JSON.stringify({ ...ISSUED, occurredAt: 1767323045678 }),
    ]
    for (const data of bad) {
      let error: unknown = null
      try {
        decodeOAuthEvent(data)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(TypeError)
      expect((error as TypeError).message).not.toContain(secret)
    }
  })
})
