import {
  type AuthorizationServer,
  type Client,
  createAuthorizationServer,
  s256Challenge,
  webCrypto,
} from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'

export const REDIRECT_URI = 'https://client.example/cb'
export const VERIFIER = 'dBjftJeZ4CVP-mJ92K1qaHZpkhHl8uYlRbdmAPWc9Wk-sp-oauth-tests'

export interface OAuthFixture {
  readonly server: AuthorizationServer
  /** Confidential: authorization_code, refresh_token and client_credentials; invoices.read and .write. */
  readonly client: Client
  readonly secret: string
  /** `Basic` credentials of `client`. */
  readonly basic: string
}

export async function createOAuthFixture(): Promise<OAuthFixture> {
  const server = createAuthorizationServer({
    issuer: 'http://127.0.0.1',
    storage: createMemoryStorage(),
    crypto: webCrypto({ keys: [{ id: 'k1', secret: 'adapter-tests-hash-key-0123456789abcdefghij' }] }),
  })
  const { client, plaintextSecret } = await server.createClient({
    name: 'ERP',
    redirectUris: [REDIRECT_URI],
    allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
    allowedScopes: ['invoices.read', 'invoices.write'],
    confidential: true,
  })
  const basic = `Basic ${Buffer.from(`${client.id}:${plaintextSecret!}`).toString('base64')}`
  return { server, client, secret: plaintextSecret!, basic }
}

/** The raw query string of an authorization request (S256 PKCE on {@link VERIFIER}). */
export async function authorizeQuery(clientId: string, extra = ''): Promise<string> {
  const challenge = await s256Challenge(VERIFIER)
  return (
    `response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}` +
    `&scope=invoices.read&state=s%2F1+x&code_challenge=${challenge}&code_challenge_method=S256${extra}`
  )
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const
