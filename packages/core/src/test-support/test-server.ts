// Shared set-up for the core's own tests (not published): a server on in-memory storage with a
// fake clock, recording every event it publishes.
import { afterAll, beforeAll, describe } from 'vitest'
import type { AuthorizationServerOptions } from '../config/options.js'
import { webCrypto } from '../crypto/web-crypto.js'
import type { ApplicationType } from '../domain/client.js'
import type { OAuthEvent } from '../domain/events.js'
import type { GrantType } from '../domain/grant-type.js'
import { s256Challenge } from '../domain/pkce.js'
import { createMemoryStorage, type MemoryStorage } from '../memory/create-memory-storage.js'
import { type AuthorizationServer, createAuthorizationServer } from '../server/create-authorization-server.js'
import { createFakeClock, type FakeClock } from '../testing/fake-clock.js'
import type { TokenResponse } from '../use-cases/internal/issue-tokens.js'

export const ISSUER = 'https://auth.example.com'
export const REDIRECT_URI = 'https://client.example.com/callback'
export const HASH_SECRET = 'test-hash-key-0123456789abcdef0123456789'
/** The PKCE parameters of RFC 7636 Appendix B (verifier `dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`). */
export const S256_PKCE = {
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
} as const

export interface TestServer {
  readonly server: AuthorizationServer
  readonly storage: MemoryStorage
  readonly clock: FakeClock
  /** Every event published so far, in order. */
  readonly events: OAuthEvent[]
}

/** How the core writes code exchanges and rotations: its own unit of work, or the storage's one step. */
type IssuancePath = 'unit of work' | 'atomicIssuance'

let defaultIssuancePath: IssuancePath = 'unit of work'

/**
 * Defines the tests of `define` twice: once with `createTestServer` storage that has no
 * `atomicIssuance` (the core's unit of work), once with it (the path SQL storages take).
 */
export function forEachIssuancePath(define: () => void): void {
  for (const path of ['unit of work', 'atomicIssuance'] as const) {
    describe(`issuing through ${path}`, () => {
      beforeAll(() => {
        defaultIssuancePath = path
      })
      afterAll(() => {
        defaultIssuancePath = 'unit of work'
      })
      define()
    })
  }
}

export function createTestServer(overrides: Partial<AuthorizationServerOptions> = {}): TestServer {
  const events: OAuthEvent[] = []
  const clock = createFakeClock()
  const storage = createMemoryStorage({ atomicIssuance: defaultIssuancePath === 'atomicIssuance' })
  const server = createAuthorizationServer({
    issuer: ISSUER,
    storage,
    crypto: webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }),
    clock,
    eventPublisher: {
      publish: async (batch) => {
        events.push(...batch)
      },
    },
    ...overrides,
  })
  return { server, storage, clock, events }
}

export interface TestClient {
  readonly id: string
  readonly secret: string | null
}

export async function createTestClient(
  server: AuthorizationServer,
  options: {
    readonly confidential?: boolean
    readonly allowedGrants?: readonly GrantType[]
    readonly allowedScopes?: readonly string[]
    readonly redirectUris?: readonly string[]
    readonly applicationType?: ApplicationType
    readonly silentConsent?: boolean
    readonly resourceServer?: boolean
  } = {},
): Promise<TestClient> {
  const confidential = options.confidential ?? true
  const { client, plaintextSecret } = await server.createClient({
    name: confidential ? 'ERP Connector' : 'Mobile App',
    redirectUris: options.redirectUris ?? [REDIRECT_URI],
    allowedGrants: options.allowedGrants ?? ['authorization_code', 'refresh_token'],
    allowedScopes: options.allowedScopes ?? ['invoices.read', 'invoices.write'],
    confidential,
    ...(options.applicationType === undefined ? {} : { applicationType: options.applicationType }),
    ...(options.silentConsent === undefined ? {} : { silentConsent: options.silentConsent }),
    ...(options.resourceServer === undefined ? {} : { resourceServer: options.resourceServer }),
  })
  return { id: client.id, secret: plaintextSecret }
}

/** A verifier of 43+ unreserved characters and its S256 challenge. */
export async function createPkce(verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'): Promise<{
  readonly verifier: string
  readonly challenge: string
}> {
  return { verifier, challenge: await s256Challenge(verifier) }
}

/** Runs validate + approve for `user-1` and returns the code, its verifier and the approval. */
export async function authorize(
  server: AuthorizationServer,
  client: TestClient,
  options: { readonly scope?: string; readonly remember?: boolean; readonly pkce?: boolean } = {},
): Promise<{ readonly code: string; readonly verifier: string | null; readonly redirectUrl: string }> {
  const pkce = options.pkce === false ? null : await createPkce()
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: options.scope ?? 'invoices.read',
    state: 'state-1',
    ...(pkce ? { code_challenge: pkce.challenge, code_challenge_method: 'S256' } : {}),
  })
  const approval = await server.approveAuthorizationRequest(request, 'user-1', {
    remember: options.remember ?? false,
  })
  return { code: approval.code, verifier: pkce?.verifier ?? null, redirectUrl: approval.redirectUrl }
}

/** The token request body for a code exchange, with the client's credentials in the body. */
export function codeExchangeBody(
  client: TestClient,
  code: string,
  verifier: string | null,
): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    client_id: client.id,
    ...(client.secret ? { client_secret: client.secret } : {}),
    code,
    redirect_uri: REDIRECT_URI,
    ...(verifier ? { code_verifier: verifier } : {}),
  }
}

/** Authorizes and exchanges the code: the tokens of a fresh grant. */
export async function obtainTokens(
  server: AuthorizationServer,
  client: TestClient,
  options: { readonly scope?: string } = {},
): Promise<TokenResponse> {
  const { code, verifier } = await authorize(server, client, options)
  return server.issueTokenFromRequest({ body: codeExchangeBody(client, code, verifier) })
}

/** The body of a refresh request, with the client's credentials in the body. */
export function refreshBody(client: TestClient, refreshToken: string, extra: Record<string, string> = {}) {
  return {
    grant_type: 'refresh_token',
    client_id: client.id,
    ...(client.secret ? { client_secret: client.secret } : {}),
    refresh_token: refreshToken,
    ...extra,
  }
}

/** The rejection of `promise`, which must be an error; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the promise to reject, but it resolved')
}
