import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  createAuthorizationServer,
  type OAuthEvent,
  webCrypto,
} from '@sp-oauth/core'
import { createFakeClock, type FakeClock } from '@sp-oauth/core/testing'
import type { AdapterHarness, TestAppOptions } from '../harness/adapter-harness.js'
import { INVOICES_READ, INVOICES_WRITE } from '../harness/adapter-harness.js'
import type { StorageUnderTest } from './storage-under-test.js'

export const REPORTS_READ = 'reports.read'
/** The seed's client. */
export const ERP_REDIRECT_URI = 'https://client.example.com/callback'
export const ERP_SECOND_REDIRECT_URI = 'https://client.example.com/other-callback'
export const PUBLIC_REDIRECT_URI = 'http://127.0.0.1/public-callback'
/** The native client's loopback redirect URI, registered without a port (RFC 8252 §7.3). */
export const NATIVE_REDIRECT_URI = 'http://127.0.0.1/native-callback'
export const BODY_LIMIT_BYTES = 4096
export const CONSENT_TICKET_TTL_SECONDS = 300

/** A client the suite registered, with its secret (`null` for a public one). */
export interface TestClient {
  readonly id: string
  readonly secret: string | null
}

/** The server flavour of an environment. */
export type TokenFlavour = 'opaque' | 'jwt'

/** One adapter, serving one authorization server over one storage, on a real socket. */
export interface TestEnvironment {
  readonly harness: string
  readonly flavour: TokenFlavour
  /** `http://127.0.0.1:<port>`, which is also the issuer. */
  readonly origin: string
  readonly issuer: string
  readonly server: AuthorizationServer
  /** Stands still unless a test moves it; starts at the real time so JWT clients agree. */
  readonly clock: FakeClock
  /** Every event the server published, in order. */
  readonly events: readonly OAuthEvent[]
  readonly realm: string
  readonly clients: {
    /** The seed's `ERP Connector`: confidential, authorization_code + refresh_token, two redirect URIs. */
    readonly erp: TestClient
    /** The same but with one redirect URI, so `redirect_uri` may be left out. */
    readonly single: TestClient
    /** A public client (PKCE only), application type `web`: its loopback redirect URI is exact. */
    readonly public: TestClient
    /** A public native app: its loopback redirect URI may name any port. */
    readonly native: TestClient
    /** client_credentials with every scope: the one `requireClient` admits. */
    readonly service: TestClient
  }
  /** A user id nobody else in this file uses. */
  newUser(): string
  /** Events of `type` published since `since` (an index into `events`). */
  eventsSince(since: number, type: OAuthEvent['type']): readonly OAuthEvent[]
  close(): Promise<void>
}

/**
 * Starts the harness's test app on 127.0.0.1 (a free port) in front of a new authorization
 * server on a fresh storage. The port is taken first, since the issuer names it.
 */
export async function startEnvironment(
  harness: AdapterHarness,
  storage: StorageUnderTest,
  flavour: TokenFlavour,
  setup: { readonly clockStart?: Date } = {},
): Promise<TestEnvironment> {
  const http = createServer()
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  const clock = createFakeClock(setup.clockStart ?? new Date(Math.floor(Date.now() / 1000) * 1000))
  const events: OAuthEvent[] = []
  const realm = flavour === 'opaque' ? 'partner-api' : 'oauth'
  const options: AuthorizationServerOptions = {
    issuer: origin,
    storage: await storage.create(),
    crypto: webCrypto({ keys: [{ id: 'k1', secret: randomBytes(32).toString('hex') }] }),
    clock,
    eventPublisher: {
      publish: async (published) => {
        events.push(...published)
      },
    },
    ...(flavour === 'opaque'
      ? { realm, scopes: [INVOICES_READ, INVOICES_WRITE, REPORTS_READ] }
      : { accessTokenFormat: 'jwt' as const }),
  }
  const server = createAuthorizationServer(options)
  if (flavour === 'jwt') await server.rotateSigningKey()
  const create = async (input: Parameters<AuthorizationServer['createClient']>[0]): Promise<TestClient> => {
    const created = await server.createClient(input)
    return { id: created.client.id, secret: created.plaintextSecret }
  }
  const allScopes = [INVOICES_READ, INVOICES_WRITE, REPORTS_READ]
  const clients = {
    erp: await create({
      name: 'ERP Connector',
      redirectUris: [ERP_REDIRECT_URI, ERP_SECOND_REDIRECT_URI],
      allowedGrants: ['authorization_code', 'refresh_token'],
      allowedScopes: [INVOICES_READ, INVOICES_WRITE],
      confidential: true,
    }),
    single: await create({
      name: 'Single Redirect',
      redirectUris: [ERP_REDIRECT_URI],
      allowedGrants: ['authorization_code', 'refresh_token'],
      allowedScopes: allScopes,
      confidential: true,
    }),
    public: await create({
      name: 'Public App',
      redirectUris: [PUBLIC_REDIRECT_URI],
      allowedGrants: ['authorization_code', 'refresh_token'],
      allowedScopes: [INVOICES_READ],
      confidential: false,
    }),
    native: await create({
      name: 'Native App',
      redirectUris: [NATIVE_REDIRECT_URI],
      allowedGrants: ['authorization_code', 'refresh_token'],
      allowedScopes: [INVOICES_READ],
      confidential: false,
      applicationType: 'native',
    }),
    service: await create({
      name: 'Reporting Service',
      redirectUris: [],
      allowedGrants: ['client_credentials'],
      allowedScopes: allScopes,
      confidential: true,
      resourceServer: true,
    }),
  }
  const app: TestAppOptions = {
    trustedClientId: clients.service.id,
    bodyLimitBytes: BODY_LIMIT_BYTES,
    consentTicketTtlSeconds: CONSENT_TICKET_TTL_SECONDS,
  }
  http.on('request', await harness.createListener(server, app))
  let users = 0
  return {
    harness: harness.name,
    flavour,
    origin,
    issuer: server.config.issuer,
    server,
    clock,
    events,
    realm,
    clients,
    newUser: () => `user-${++users}-${randomBytes(3).toString('hex')}`,
    eventsSince: (since, type) => events.slice(since).filter((event) => event.type === type),
    close: () =>
      new Promise<void>((resolve, reject) => {
        http.closeAllConnections()
        http.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
