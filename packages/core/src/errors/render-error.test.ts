import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTestClient, createTestServer, rejectionOf } from '../test-support/test-server.js'
import { OAUTH_ERROR_STATUS, type OAuthErrorCode } from './error-codes.js'
import { OAuthError } from './oauth-error.js'
import { renderError } from './render-error.js'
import { StorageUnavailableError } from './storage-unavailable-error.js'

const FIXED_DESCRIPTION = 'The server could not complete the request.'

describe('renderError', () => {
  it('turns anything that is not an OAuthError into 500 server_error with a fixed description', () => {
    const response = renderError(new TypeError('connect to postgres://admin:hunter2@db failed'))
    expect(response.status).toBe(500)
    expect(response.body).toEqual({ error: 'server_error', error_description: FIXED_DESCRIPTION })
    expect(JSON.stringify(response)).not.toContain('hunter2')
    expect(response.headers['www-authenticate']).toBeUndefined()
  })

  it('answers a StorageUnavailableError with 503 server_error, Retry-After and a fixed description, never its message or cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED postgres://admin:hunter2@db'), {
      code: 'ECONNREFUSED',
    })
    const response = renderError(
      new StorageUnavailableError({ message: 'PostgreSQL at db:5432 could not be reached', cause }),
    )
    expect(response.status).toBe(503)
    expect(response.headers['retry-after']).toBe('5')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.body).toEqual({
      error: 'server_error',
      error_description: 'The server is temporarily unable to complete the request; try again later.',
    })
    expect(JSON.stringify(response)).not.toContain('hunter2')
    expect(JSON.stringify(response)).not.toContain('db:5432')
    expect(renderError(new StorageUnavailableError({ retryAfterSeconds: 30 })).headers['retry-after']).toBe(
      '30',
    )
  })

  it('keeps 500 server_error, without Retry-After, for every other unexpected error', () => {
    const response = renderError(Object.assign(new Error('duplicate key'), { code: '23505' }))
    expect(response.status).toBe(500)
    expect(response.headers['retry-after']).toBeUndefined()
  })

  it('never sends the message, stack or cause of an unexpected error', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{12,40}$/), (secret) => {
        const error = new Error(`SELECT * FROM clients WHERE secret = '${secret}'`, { cause: secret })
        const rendered = JSON.stringify(renderError(error))
        expect(rendered).not.toContain(secret)
        expect(rendered).not.toContain('SELECT')
      }),
    )
  })

  it.each([
    ['a string', 'secret-string-thrown'],
    ['null', null],
    ['an object', { password: 'secret-in-object' }],
  ])('renders a thrown %s as 500 server_error', (_kind, thrown) => {
    const response = renderError(thrown)
    expect(response.status).toBe(500)
    expect(response.body).toEqual({ error: 'server_error', error_description: FIXED_DESCRIPTION })
    expect(JSON.stringify(response)).not.toContain('secret')
  })

  it('does not send the cause of an OAuthError', () => {
    const error = OAuthError.invalidRequest({
      description: 'Bad request.',
      cause: new Error('password=hunter2'),
    })
    expect(JSON.stringify(renderError(error))).not.toContain('hunter2')
  })

  it('sends Cache-Control: no-store with every response (RFC 6749 §5.1)', () => {
    const responses = [
      renderError(new Error('boom')),
      renderError(OAuthError.invalidGrant()),
      renderError(OAuthError.invalidToken()),
      renderError(
        OAuthError.accessDenied({ redirect: { redirectUri: 'https://client.example.com/cb', state: null } }),
      ),
    ]
    for (const response of responses) {
      expect(response.headers['cache-control']).toBe('no-store')
      expect(response.headers.pragma).toBe('no-cache')
    }
  })

  it.each(Object.entries(OAUTH_ERROR_STATUS) as [OAuthErrorCode, number][])(
    'renders %s as JSON with status %i',
    (code, status) => {
      const response = renderError(new OAuthError(code, { description: 'Details.' }))
      expect(response.status).toBe(status)
      expect(response.headers['content-type']).toBe('application/json')
      expect(response.body).toEqual({ error: code, error_description: 'Details.' })
    },
  )

  it('leaves error_description out when there is none', () => {
    expect(renderError(OAuthError.invalidGrant()).body).toEqual({ error: 'invalid_grant' })
  })

  it('challenges invalid_client with Basic when the client authenticated with HTTP Basic (RFC 6749 §5.2)', () => {
    const response = renderError(OAuthError.invalidClient({ description: 'No.', challenge: 'Basic' }))
    expect(response.status).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Basic realm="oauth", charset="UTF-8"')
  })

  it('challenges every invalid_client with Basic, since a 401 must carry a challenge (RFC 9110 §15.5.2)', () => {
    const response = renderError(OAuthError.invalidClient({ description: 'No.' }))
    expect(response.status).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Basic realm="oauth", charset="UTF-8"')
  })

  it('answers insufficient_scope with 403 and a Bearer challenge naming the error and the scope (RFC 6750 §3)', () => {
    const response = renderError(
      OAuthError.insufficientScope({ description: 'Needs invoices.write.', scope: 'invoices.write' }),
      { realm: 'api' },
    )
    expect(response.status).toBe(403)
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="Needs invoices.write.", scope="invoices.write"',
    )
    expect(response.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'Needs invoices.write.',
      scope: 'invoices.write',
    })
  })

  it('answers an invalid token with 401 and a Bearer challenge naming invalid_token', () => {
    const response = renderError(OAuthError.invalidToken({ description: 'Expired.' }))
    expect(response.status).toBe(401)
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="oauth", error="invalid_token", error_description="Expired."',
    )
  })

  it('answers a request without a bearer token with a Bearer challenge that names no error (RFC 6750 §3.1)', () => {
    const response = renderError(
      OAuthError.invalidToken({ description: 'A bearer token is required.', missingBearer: true }),
    )
    expect(response.status).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer realm="oauth"')
  })

  it('escapes quotes and backslashes inside challenge parameters', () => {
    const response = renderError(OAuthError.invalidToken({ description: 'say "hi" \\ bye' }), {
      realm: 'my "realm"',
    })
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="my \\"realm\\"", error="invalid_token", error_description="say \\"hi\\" \\\\ bye"',
    )
  })

  it('redirects an error that carries a redirect: 302 to the redirect URI with error, state and iss (RFC 9207)', () => {
    const error = OAuthError.invalidScope({
      description: 'Too much.',
      redirect: { redirectUri: 'https://client.example.com/cb?tenant=acme', state: 'st&ate=1' },
    })
    const response = renderError(error, { issuer: 'https://auth.example.com' })
    expect(response.status).toBe(302)
    expect(response.body).toBeNull()
    const location = new URL(response.headers.location!)
    expect(`${location.origin}${location.pathname}`).toBe('https://client.example.com/cb')
    expect(Object.fromEntries(location.searchParams)).toEqual({
      tenant: 'acme',
      error: 'invalid_scope',
      error_description: 'Too much.',
      state: 'st&ate=1',
      iss: 'https://auth.example.com',
    })
  })

  it('leaves state out of a redirected error when the request had none', () => {
    const error = OAuthError.accessDenied({
      redirect: { redirectUri: 'https://client.example.com/cb', state: null },
    })
    const location = new URL(renderError(error).headers.location!)
    expect(location.searchParams.has('state')).toBe(false)
    expect(location.searchParams.has('iss')).toBe(false)
    expect(location.searchParams.get('error')).toBe('access_denied')
  })

  it("server.renderError uses the server's issuer and realm", async () => {
    const { server } = createTestServer({ realm: 'partner-api' })
    const client = await createTestClient(server)
    const redirected = await rejectionOf(
      server.validateAuthorizationRequest({ response_type: 'token', client_id: client.id, state: 's' }),
    )
    const location = new URL(server.renderError(redirected).headers.location!)
    expect(location.searchParams.get('iss')).toBe('https://auth.example.com')
    const missing = await rejectionOf(server.authenticateBearer({}))
    expect(server.renderError(missing).headers['www-authenticate']).toBe('Bearer realm="partner-api"')
  })

  it('a failed HTTP Basic client authentication renders with a Basic challenge', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    const wrong = Buffer.from(`${client.id}:${'0'.repeat(64)}`).toString('base64')
    const error = await rejectionOf(
      server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials' },
        authorization: `Basic ${wrong}`,
      }),
    )
    const response = server.renderError(error)
    expect(response.status).toBe(401)
    expect(response.body).toMatchObject({ error: 'invalid_client' })
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm="oauth"/)
  })
})
