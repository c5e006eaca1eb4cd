import { describe, expect, it } from 'vitest'
import { ConfigurationError } from './configuration-error.js'
import { OAUTH_ERROR_STATUS, type OAuthErrorCode } from './error-codes.js'
import { OAuthError } from './oauth-error.js'
import { SpOAuthError } from './sp-oauth-error.js'

/** Each factory and the code it must produce. */
const FACTORIES: ReadonlyArray<
  readonly [OAuthErrorCode, (options?: { description?: string }) => OAuthError]
> = [
  ['invalid_request', OAuthError.invalidRequest],
  ['unauthorized_client', OAuthError.unauthorizedClient],
  ['access_denied', OAuthError.accessDenied],
  ['unsupported_response_type', OAuthError.unsupportedResponseType],
  ['invalid_scope', OAuthError.invalidScope],
  ['server_error', OAuthError.serverError],
  ['invalid_client', OAuthError.invalidClient],
  ['invalid_grant', OAuthError.invalidGrant],
  ['unsupported_grant_type', OAuthError.unsupportedGrantType],
  ['invalid_token', OAuthError.invalidToken],
  ['insufficient_scope', OAuthError.insufficientScope],
  ['unsupported_token_type', OAuthError.unsupportedTokenType],
]

describe('OAuthError', () => {
  it.each(FACTORIES)('the %s factory makes an error with that code and its status', (code, factory) => {
    const error = factory({ description: 'Something is wrong.' })
    expect(error).toBeInstanceOf(OAuthError)
    expect(error.code).toBe(code)
    expect(error.status).toBe(OAUTH_ERROR_STATUS[code])
    expect(error.description).toBe('Something is wrong.')
  })

  it.each([
    ['invalid_request', 400],
    ['unauthorized_client', 400],
    ['unsupported_response_type', 400],
    ['invalid_scope', 400],
    ['invalid_grant', 400],
    ['unsupported_grant_type', 400],
    ['unsupported_token_type', 400],
    ['invalid_client', 401],
    ['invalid_token', 401],
    ['insufficient_scope', 403],
    ['server_error', 500],
    ['temporarily_unavailable', 503],
  ] as const)('sends %s with status %i (RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1)', (code, status) => {
    expect(new OAuthError(code).status).toBe(status)
  })

  it('is an SpOAuthError named OAuthError, its message the code and description', () => {
    const error = OAuthError.invalidGrant({ description: 'The code has expired.' })
    expect(error).toBeInstanceOf(SpOAuthError)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('OAuthError')
    expect(error.message).toBe('invalid_grant: The code has expired.')
    expect(OAuthError.invalidGrant().message).toBe('invalid_grant')
  })

  it('keeps its cause', () => {
    const cause = new Error('underlying')
    expect(OAuthError.serverError({ cause }).cause).toBe(cause)
  })

  it('challenges by default with Basic for invalid_client, Bearer for invalid_token and insufficient_scope, none otherwise', () => {
    const defaults: Record<string, string> = {
      invalid_client: 'Basic',
      invalid_token: 'Bearer',
      insufficient_scope: 'Bearer',
    }
    for (const [code, factory] of FACTORIES) expect(factory().challenge, code).toBe(defaults[code] ?? null)
    expect(OAuthError.invalidToken({ challenge: 'Basic' }).challenge).toBe('Basic')
  })

  it('carries no redirect unless given one', () => {
    expect(OAuthError.invalidRequest().redirect).toBeUndefined()
  })

  it('withRedirect returns the same error, now with the redirect, and leaves the original unchanged', () => {
    const cause = new Error('why')
    const original = OAuthError.insufficientScope({
      description: 'More scope needed.',
      scope: 'invoices.write',
      cause,
    })
    const redirect = { redirectUri: 'https://client.example.com/cb', state: 'xyz' }
    const redirected = original.withRedirect(redirect)
    expect(redirected).toBeInstanceOf(OAuthError)
    expect(redirected).not.toBe(original)
    expect(redirected.redirect).toEqual(redirect)
    expect(redirected).toMatchObject({
      code: 'insufficient_scope',
      status: 403,
      description: 'More scope needed.',
      scope: 'invoices.write',
      challenge: 'Bearer',
      missingBearer: false,
    })
    expect(redirected.cause).toBe(cause)
    expect(original.redirect).toBeUndefined()
  })

  it('withRedirect keeps a missing-bearer flag and a Basic challenge', () => {
    const redirect = { redirectUri: 'https://client.example.com/cb', state: null }
    expect(OAuthError.invalidToken({ missingBearer: true }).withRedirect(redirect).missingBearer).toBe(true)
    expect(OAuthError.invalidClient({ challenge: 'Basic' }).withRedirect(redirect).challenge).toBe('Basic')
  })
})

describe('ConfigurationError', () => {
  it('is an SpOAuthError named ConfigurationError that lists every problem', () => {
    const error = new ConfigurationError(['issuer: is required', 'authCodeTtlMinutes: must be positive'])
    expect(error).toBeInstanceOf(SpOAuthError)
    expect(error).not.toBeInstanceOf(OAuthError)
    expect(error.name).toBe('ConfigurationError')
    expect(error.problems).toEqual(['issuer: is required', 'authCodeTtlMinutes: must be positive'])
    expect(error.message).toContain('issuer: is required')
    expect(error.message).toContain('authCodeTtlMinutes: must be positive')
  })
})
