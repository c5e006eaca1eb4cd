import type { IncomingHttpHeaders, RequestListener } from 'node:http'
import type { AuthorizationServer } from '@sp-oauth/core'

/** The scopes the test app's protected routes ask for. */
export const INVOICES_READ = 'invoices.read'
export const INVOICES_WRITE = 'invoices.write'

/** The test app's own routes, the same on every harness. */
export const TEST_ROUTES = {
  /** The seed's resource: a bearer token with `invoices.read` (requireToken + requireAllScopes). */
  invoices: '/partner/invoices',
  /** requireToken + requireAnyScope(`invoices.read`, `invoices.write`). */
  anyScope: '/partner/any-scope',
  /** requireToken + requireClient(the trusted client). */
  trustedClient: '/partner/trusted-client',
  /** Where the login hook sends the browser, with `return_to`. */
  login: '/login',
} as const

/** How a test names the signed-in user: a header or a cookie, plus the session cookie. */
export const TEST_USER_HEADER = 'x-test-user'
export const TEST_USER_COOKIE = 'x-test-user'
export const TEST_SESSION_COOKIE = 'test-session'
/** When the test user signed in, in milliseconds since the epoch (the app's `authTime`). */
export const TEST_AUTH_TIME_COOKIE = 'test-auth-time'

/** What the test app needs besides the server. */
export interface TestAppOptions {
  /** The one client `TEST_ROUTES.trustedClient` admits. */
  readonly trustedClientId: string
  /** Passed to the adapter (`bodyLimitBytes`), so the suite checks it is honoured. */
  readonly bodyLimitBytes: number
  /** Passed to the adapter (`consentTicketTtlSeconds`). */
  readonly consentTicketTtlSeconds: number
}

/**
 * One HTTP adapter under test: it builds the suite's test app on `server` and hands back a Node
 * request listener, which the suite serves on a real socket (127.0.0.1, a free port).
 *
 * The test app, whatever the framework, must:
 * - mount the adapter's OAuth routes;
 * - report the signed-in user with {@link testUserOf} from the request headers;
 * - on login, answer `302` to {@link loginLocation} (`/login?return_to=<returnTo>`, plus
 *   `&reauthenticate=1` when the core asks for a newer sign-in);
 * - on consent, answer `200` with {@link consentBody} as JSON;
 * - leave error rendering to the adapter's default;
 * - serve {@link TEST_ROUTES}, answering the principal as {@link principalBody} JSON;
 * - answer anything else `404`.
 */
export interface AdapterHarness {
  readonly name: string
  createListener(
    server: AuthorizationServer,
    options: TestAppOptions,
  ): RequestListener | Promise<RequestListener>
}

/** The user the test set on the request, as the adapters' `getUser` hook reports it. */
export interface TestUser {
  readonly user: string
  readonly session?: string
  readonly authTime?: Date
}

/**
 * Reads the test user from the `x-test-user` header (or cookie), the session cookie and the
 * sign-in time cookie.
 */
export function testUserOf(headers: IncomingHttpHeaders): TestUser | null {
  const cookies = parseCookies(headers.cookie)
  const header = headers[TEST_USER_HEADER]
  const user = (typeof header === 'string' ? header : undefined) ?? cookies.get(TEST_USER_COOKIE)
  if (user === undefined || user === '') return null
  const session = cookies.get(TEST_SESSION_COOKIE)
  const authTime = cookies.get(TEST_AUTH_TIME_COOKIE)
  return {
    user,
    ...(session === undefined ? {} : { session }),
    ...(authTime === undefined ? {} : { authTime: new Date(Number(authTime)) }),
  }
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const split = part.indexOf('=')
    if (split === -1) continue
    cookies.set(part.slice(0, split).trim(), decodeURIComponent(part.slice(split + 1).trim()))
  }
  return cookies
}

/** Where the login hook redirects; `reauthenticate` when the core asks for a newer sign-in. */
export function loginLocation(
  returnTo: string,
  login: { readonly reauthenticate: boolean } = { reauthenticate: false },
): string {
  const again = login.reauthenticate ? '&reauthenticate=1' : ''
  return `${TEST_ROUTES.login}?return_to=${encodeURIComponent(returnTo)}${again}`
}

/** What a consent prompt looks like to the test app (the shape of `ConsentPrompt`). */
export interface ConsentPromptLike {
  readonly request: {
    readonly client: { readonly id: string; readonly name: string }
    readonly scopes: readonly string[]
  }
  readonly ticket: string
  readonly approvePath: string
  readonly denyPath: string
  readonly redirectUri: string
  readonly remembered: boolean
}

/** The JSON the test app's consent screen answers. */
export interface ConsentBody {
  readonly consent: true
  readonly ticket: string
  readonly client_id: string
  readonly client_name: string
  readonly scopes: readonly string[]
  readonly approve_path: string
  readonly deny_path: string
  /** The full redirect URI the answer goes to, port included. */
  readonly redirect_uri: string
  readonly remembered: boolean
}

export function consentBody(prompt: ConsentPromptLike): ConsentBody {
  return {
    consent: true,
    ticket: prompt.ticket,
    client_id: prompt.request.client.id,
    client_name: prompt.request.client.name,
    scopes: prompt.request.scopes,
    approve_path: prompt.approvePath,
    deny_path: prompt.denyPath,
    redirect_uri: prompt.redirectUri,
    remembered: prompt.remembered,
  }
}

/** What a principal looks like to the test app (the shape of `Principal`). */
export interface PrincipalLike {
  readonly clientId: string
  readonly userId: string | null
  readonly grantType: string
  readonly scopes: readonly string[]
  can(scope: string): boolean
}

/** The JSON the protected routes answer. */
export interface PrincipalBody {
  readonly clientId: string
  readonly userId: string | null
  readonly grantType: string
  readonly scopes: readonly string[]
  readonly canReadInvoices: boolean
}

export function principalBody(principal: PrincipalLike): PrincipalBody {
  return {
    clientId: principal.clientId,
    userId: principal.userId,
    grantType: principal.grantType,
    scopes: principal.scopes,
    canReadInvoices: principal.can(INVOICES_READ),
  }
}

export const NOT_FOUND_BODY = { error: 'not_found' } as const

/**
 * Each suite file sends hundreds of requests a minute to one app from 127.0.0.1: the default
 * request limits would answer 429. They stay on, so every request still goes through them, with
 * room for the whole suite.
 */
export const SUITE_RATE_LIMITS = {
  perAddress: {
    authorize: { limit: 100_000, windowSeconds: 60 },
    token: { limit: 100_000, windowSeconds: 60 },
    revoke: { limit: 100_000, windowSeconds: 60 },
    introspect: { limit: 100_000, windowSeconds: 60 },
  },
  perClient: {
    authorize: { limit: 100_000, windowSeconds: 60 },
    token: { limit: 100_000, windowSeconds: 60 },
    revoke: { limit: 100_000, windowSeconds: 60 },
    introspect: { limit: 100_000, windowSeconds: 60 },
  },
  lockout: false,
} as const
