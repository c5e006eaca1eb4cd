import { describe, expect, it } from 'vitest'
import { createPrincipal, type Principal } from '../domain/principal.js'
import { OAuthError } from '../errors/oauth-error.js'
import { renderError } from '../errors/render-error.js'
import { requireAllScopes, requireAnyScope, requireClient } from './require-scopes.js'

const CLIENT_ID = '11111111-1111-4111-8111-111111111111'

function principal(scopes: readonly string[]): Principal {
  return createPrincipal({
    clientId: CLIENT_ID,
    userId: 'user-1',
    grantType: 'authorization_code',
    scopes,
    claims: {},
    tokenId: 'token-1',
    expiresAt: new Date('2026-01-01T01:00:00Z'),
  })
}

function thrown(run: () => void): OAuthError {
  try {
    run()
  } catch (error) {
    if (error instanceof OAuthError) return error
    throw error
  }
  throw new Error('expected an OAuthError, but nothing was thrown')
}

describe('requireAllScopes', () => {
  it('passes when every scope is granted', () => {
    expect(() =>
      requireAllScopes(principal(['invoices.read', 'invoices.write']), ['invoices.read']),
    ).not.toThrow()
    expect(() =>
      requireAllScopes(principal(['invoices.read', 'invoices.write']), ['invoices.write', 'invoices.read']),
    ).not.toThrow()
  })

  it('a missing scope is insufficient_scope 403 naming the required scopes', () => {
    const error = thrown(() =>
      requireAllScopes(principal(['invoices.read']), ['invoices.read', 'invoices.write']),
    )
    expect(error.code).toBe('insufficient_scope')
    const response = renderError(error)
    expect(response.status).toBe(403)
    expect(response.body).toMatchObject({
      error: 'insufficient_scope',
      scope: 'invoices.read invoices.write',
    })
    expect(response.headers['www-authenticate']).toMatch(/^Bearer .*error="insufficient_scope"/)
    expect(response.headers['www-authenticate']).toContain('scope="invoices.read invoices.write"')
  })
})

describe('requireAnyScope', () => {
  it('passes when at least one scope is granted', () => {
    expect(() =>
      requireAnyScope(principal(['invoices.write']), ['invoices.read', 'invoices.write']),
    ).not.toThrow()
  })

  it('none granted is insufficient_scope 403 naming the accepted scopes', () => {
    const error = thrown(() =>
      requireAnyScope(principal(['reports.read']), ['invoices.read', 'invoices.write']),
    )
    expect(error.code).toBe('insufficient_scope')
    const response = renderError(error)
    expect(response.status).toBe(403)
    expect(response.headers['www-authenticate']).toContain('scope="invoices.read invoices.write"')
  })
})

describe('requireClient', () => {
  it('passes for a listed client', () => {
    expect(() => requireClient(principal([]), ['other', CLIENT_ID])).not.toThrow()
  })

  it('another client is refused with 403', () => {
    const error = thrown(() =>
      requireClient(principal(['invoices.read']), ['22222222-2222-4222-8222-222222222222']),
    )
    expect(error.status).toBe(403)
    expect(renderError(error).status).toBe(403)
  })
})
