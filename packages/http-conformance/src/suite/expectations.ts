import { expect } from 'vitest'

/** Reads a response body as JSON (`undefined` when empty). */
export async function jsonOf(response: Response): Promise<Record<string, unknown> | undefined> {
  const text = await response.text()
  return text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>)
}

/** RFC 6749 §5.1: token, introspection and error responses are not cached. */
export function expectNoStore(response: Response): void {
  expect(response.headers.get('cache-control')).toBe('no-store')
  expect(response.headers.get('pragma')).toBe('no-cache')
}

/** An OAuth JSON error: status, `error` code, JSON content type, no caching. */
export async function expectOAuthError(
  response: Response,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const body = await jsonOf(response)
  expect({ status: response.status, error: body?.error }).toEqual({ status, error: code })
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  expectNoStore(response)
  return body!
}

/**
 * RFC 6749 §4.1.2.1: before the client and redirect URI are verified, an error is shown to the
 * user (400, JSON) and never redirected.
 */
export async function expectShownError(response: Response, code = 'invalid_request'): Promise<void> {
  expect(response.headers.get('location')).toBeNull()
  await expectOAuthError(response, 400, code)
}

/** After they are verified, the error goes back to the redirect URI with `state` and `iss` (RFC 9207). */
export function expectRedirectedError(
  response: Response,
  expected: {
    readonly redirectUri: string
    readonly error: string
    readonly state: string | null
    readonly issuer: string
  },
): URLSearchParams {
  expect(response.status).toBe(302)
  const location = new URL(response.headers.get('location') ?? 'missing:')
  expect(`${location.origin}${location.pathname}`).toBe(expected.redirectUri)
  const params = location.searchParams
  expect({
    error: params.get('error'),
    state: params.get('state'),
    iss: params.get('iss'),
    code: params.get('code'),
  }).toEqual({ error: expected.error, state: expected.state, iss: expected.issuer, code: null })
  return params
}
