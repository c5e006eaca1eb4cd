import { describe, expect, it } from 'vitest'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import {
  createTestClient,
  createTestServer,
  ISSUER,
  REDIRECT_URI,
  S256_PKCE,
  type TestClient,
} from '../test-support/test-server.js'

function validRequest(
  server: AuthorizationServer,
  client: TestClient,
  state: string | undefined = 'state-1',
) {
  return server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    state,
    ...S256_PKCE,
  })
}

describe('denyAuthorizationRequest', () => {
  it('redirects to the client with error=access_denied, state and iss (RFC 6749 §4.1.2.1, RFC 9207)', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const { redirectUrl } = await server.denyAuthorizationRequest(
      await validRequest(server, client),
      'user-1',
    )
    const url = new URL(redirectUrl)
    expect(`${url.origin}${url.pathname}`).toBe(REDIRECT_URI)
    expect(url.searchParams.get('error')).toBe('access_denied')
    expect(url.searchParams.get('error_description')).toBe('The user denied the request.')
    expect(url.searchParams.get('state')).toBe('state-1')
    expect(url.searchParams.get('iss')).toBe(ISSUER)
    expect(url.searchParams.has('code')).toBe(false)
  })

  it("keeps the registered redirect URI's own query", async () => {
    const { server } = createTestServer()
    const registered = 'https://client.example.com/callback?tenant=acme'
    const client = await createTestClient(server, { redirectUris: [registered] })
    const request = await server.validateAuthorizationRequest({
      response_type: 'code',
      client_id: client.id,
      scope: 'invoices.read',
      ...S256_PKCE,
    })
    const url = new URL((await server.denyAuthorizationRequest(request)).redirectUrl)
    expect(url.searchParams.get('tenant')).toBe('acme')
    expect(url.searchParams.get('error')).toBe('access_denied')
    expect(url.searchParams.has('state')).toBe(false)
  })

  it('publishes OAuthAuthorizationDenied with the client and user', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const request = await validRequest(server, client)
    events.length = 0
    await server.denyAuthorizationRequest(request, { id: 7 })
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ type: 'OAuthAuthorizationDenied', clientId: client.id, userId: '7' })
  })

  it('publishes OAuthAuthorizationDenied with a null user when nobody is signed in', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const request = await validRequest(server, client)
    events.length = 0
    await server.denyAuthorizationRequest(request)
    expect(events[0]).toMatchObject({ type: 'OAuthAuthorizationDenied', userId: null })
  })

  it('issues no code and remembers no consent', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.denyAuthorizationRequest(await validRequest(server, client), 'user-1')
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: [] })).toBe(false)
  })
})
