import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OAuthError } from './errors/oauth-error.js'
import { renderError } from './errors/render-error.js'
import { authorize, createTestClient, createTestServer, obtainTokens } from './test-support/test-server.js'

/** Names the endpoints read, so generated requests often reach the deeper checks. */
const NAMES = [
  'grant_type',
  'client_id',
  'client_secret',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'scope',
  'token',
  'token_type_hint',
  'response_type',
  'state',
  'code_challenge',
  'code_challenge_method',
  'prompt',
]

/** Whatever a client could put in a value: real ids and tokens, junk, unicode, control characters. */
function values(known: readonly string[]) {
  return fc.oneof(
    fc.constantFrom(...known),
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '%',
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'S256',
    ),
    fc.string({ minLength: 4000, maxLength: 5000 }),
  )
}

function parameters(known: readonly string[]) {
  return fc.dictionary(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 12 })), values(known), {
    maxKeys: 8,
  })
}

/** Resolves, or rejects with an OAuthError rendered with a 4xx status: never anything else. */
async function expectNoServerError(call: () => Promise<unknown>): Promise<void> {
  try {
    await call()
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError)
    const status = renderError(error).status
    expect(status === 302 || (status >= 400 && status < 500)).toBe(true)
  }
}

describe('nothing a client sends ever becomes a 500', () => {
  it('holds for every endpoint, over arbitrary parameters, headers and real credentials mixed in', async () => {
    const { server } = createTestServer({ refreshTokenReuseGraceSeconds: 5 })
    const confidential = await createTestClient(server)
    const publicClient = await createTestClient(server, { confidential: false })
    const tokens = await obtainTokens(server, confidential)
    const { code, verifier } = await authorize(server, publicClient)
    const known = [
      confidential.id,
      confidential.secret!,
      publicClient.id,
      tokens.access_token,
      tokens.refresh_token!,
      code,
      verifier!,
      'https://client.example.com/callback',
      'invoices.read',
    ]
    const headers = fc.option(
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom(...known).map((value) => `Bearer ${value}`),
        fc.constantFrom(...known).map((value) => `Basic ${btoa(`${confidential.id}:${value}`)}`),
        fc.constantFrom('Basic', 'Basic !!!', 'Bearer', 'Bearer a b', `Basic ${btoa('\u00ff:x')}`),
      ),
      { nil: undefined },
    )
    await fc.assert(
      fc.asyncProperty(parameters(known), parameters(known), headers, async (body, query, authorization) => {
        await expectNoServerError(() => server.validateAuthorizationRequest(body))
        await expectNoServerError(() => server.issueTokenFromRequest({ body, query, authorization }))
        await expectNoServerError(() => server.revokeTokenFromRequest({ body, query, authorization }))
        await expectNoServerError(() => server.introspectTokenFromRequest({ body, query, authorization }))
        await expectNoServerError(() => server.authenticateBearer({ authorization }))
      }),
      { numRuns: 300 },
    )
  })

  it('holds for values of the wrong type, as a lax body parser could hand them over', async () => {
    const { server } = createTestServer()
    const odd = [42, null, true, { nested: 'x' }, ['a', 'b'], [], Symbol('s'), () => 1]
    for (const value of odd) {
      for (const name of ['grant_type', 'client_id', 'code', 'token', 'response_type']) {
        const body = { grant_type: 'client_credentials', [name]: value } as Record<string, unknown>
        await expectNoServerError(() => server.issueTokenFromRequest({ body }))
        await expectNoServerError(() => server.revokeTokenFromRequest({ body }))
        await expectNoServerError(() => server.validateAuthorizationRequest(body))
      }
    }
  })
})
