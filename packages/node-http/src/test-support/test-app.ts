import type { AuthorizationServer, Principal } from '@sp-oauth/core'
import type {
  ConsentPrompt,
  HttpResponse,
  InteractionUser,
  OAuthHttpOptions,
  ShownProblem,
} from '@sp-oauth/core/http'
import type { NodeGuards } from '../create-node-guards.js'
import type { Listening } from './listen.js'
import type { OAuthFixture } from './oauth-fixture.js'

/** What the test app answers itself, told apart from what the adapter answers. */
export const APP_ANSWERS = {
  /** 404, as text, for any request no route of the app or the adapter took. */
  notFound: 'not an app route',
  /** 500, as text, from the app's error handler. */
  error: 'app error handler',
  /** 200, as HTML, from the consent hook. */
  consent: '<form>consent</form>',
  /** The HTML the `renderErrorPage` hook answers, with the core response's status. */
  errorPage: '<p>error page</p>',
} as const

/** The test app's own routes besides the guarded ones. */
export const APP_ROUTES = {
  /** `POST`: the request body, read by the framework's own means, sent back as text. */
  echo: '/echo',
  /**
   * `GET`: the app's own authorize route: `validateAuthorizationRequest`, then
   * `approveAndRedirect` for {@link OWN_AUTHORIZE_USER} with `{ remember: true }`, and `sendError`
   * for anything either throws.
   */
  ownAuthorize: '/my-authorize',
} as const

export const OWN_AUTHORIZE_USER = 'user-7'

/** A client id no token of the fixture is issued to. */
const SOMEONE_ELSE = '00000000-0000-4000-8000-000000000000'

/**
 * The test app's guarded `GET` routes and the guards before each, in order; each answers
 * {@link principalBody} of the principal the guards set, as JSON.
 */
export function guardedRoutes<M>(
  oauth: NodeGuards<M>,
  trustedClientId: string,
): ReadonlyArray<readonly [path: string, guards: readonly M[]]> {
  return [
    ['/token-only', [oauth.requireToken()]],
    ['/invoices', [oauth.requireToken(), oauth.requireAllScopes('invoices.read')]],
    ['/me', [oauth.requireAllScopes('invoices.read')]],
    ['/write', [oauth.requireAllScopes('invoices.write')]],
    ['/any', [oauth.requireAnyScope('invoices.write', 'invoices.read')]],
    ['/mine', [oauth.requireClient(trustedClientId)]],
    ['/theirs', [oauth.requireClient(SOMEONE_ELSE)]],
  ]
}

/** What a guarded route answers. */
export interface PrincipalBody {
  readonly client: string
  readonly user: string | null
  readonly scopes: readonly string[]
}

export function principalBody(principal: Principal): PrincipalBody {
  return { client: principal.clientId, user: principal.userId, scopes: principal.scopes }
}

/** The app's hooks, framework-free: each returns what the harness's hook answers. */
export interface TestAppHooks {
  getUser(): InteractionUser | null | Promise<InteractionUser | null>
  /** Where the login hook redirects (302). */
  login(returnTo: string): string
  /** The HTML the consent hook answers (200). */
  renderConsent(prompt: ConsentPrompt): string
  /** When given, the HTML the `renderErrorPage` hook answers with `response.status`; else no such hook. */
  readonly renderErrorPage?: (problem: ShownProblem, response: HttpResponse) => string
}

/**
 * One test app, whatever the framework. A harness builds it on its adapter so that it:
 * - passes `options` to the adapter, and hooks that answer as `hooks` say;
 * - mounts the adapter's OAuth routes before every route of its own;
 * - serves {@link APP_ROUTES} and {@link guardedRoutes} (with `trustedClientId`);
 * - answers anything else 404 with {@link APP_ANSWERS}`.notFound`;
 * - leaves errors to the framework's error handling, where the app calls `appError` and answers
 *   500 with {@link APP_ANSWERS}`.error`.
 */
export interface TestApp {
  readonly server: AuthorizationServer
  readonly trustedClientId: string
  readonly options: Pick<OAuthHttpOptions, 'bodyLimitBytes' | 'healthPath'>
  readonly hooks: TestAppHooks
  appError(error: unknown): void
}

/** What the test app's hooks and error handler saw. */
export interface TestAppRecord {
  getUserCalls: number
  readonly returnTo: string[]
  readonly prompts: ConsentPrompt[]
  readonly problems: ShownProblem[]
  readonly shown: HttpResponse[]
  readonly errors: unknown[]
}

/** A test app with its record, and who it reports signed in. */
export interface RecordingTestApp {
  readonly app: TestApp
  readonly seen: TestAppRecord
  /** Who `getUser` reports: set it to sign a user in. Nobody at first. */
  signedIn: InteractionUser | null
}

export interface TestAppSetup {
  readonly bodyLimitBytes?: number
  /** Passed to the adapter: serve the readiness route there. */
  readonly healthPath?: string
  /** Give the adapter a `renderErrorPage` hook. */
  readonly rendersErrors?: boolean
  /** Replaces the recording `getUser`, to make it fail. */
  readonly getUser?: TestAppHooks['getUser']
}

/** The test app of `fixture`'s server and client, recording what it sees. */
export function createTestApp(fixture: OAuthFixture, setup: TestAppSetup = {}): RecordingTestApp {
  const seen: TestAppRecord = {
    getUserCalls: 0,
    returnTo: [],
    prompts: [],
    problems: [],
    shown: [],
    errors: [],
  }
  const renderErrorPage = (problem: ShownProblem, response: HttpResponse): string => {
    seen.problems.push(problem)
    seen.shown.push(response)
    return APP_ANSWERS.errorPage
  }
  const recording: RecordingTestApp = {
    seen,
    signedIn: null,
    app: {
      server: fixture.server,
      trustedClientId: fixture.client.id,
      options: {
        ...(setup.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: setup.bodyLimitBytes }),
        ...(setup.healthPath === undefined ? {} : { healthPath: setup.healthPath }),
      },
      hooks: {
        getUser:
          setup.getUser ??
          (async () => {
            seen.getUserCalls += 1
            return recording.signedIn
          }),
        login: (returnTo) => {
          seen.returnTo.push(returnTo)
          return `/login?returnTo=${encodeURIComponent(returnTo)}`
        },
        renderConsent: (prompt) => {
          seen.prompts.push(prompt)
          return APP_ANSWERS.consent
        },
        ...(setup.rendersErrors && { renderErrorPage }),
      },
      appError: (error) => {
        seen.errors.push(error)
      },
    },
  }
  return recording
}

/** The test app built and listening, as a harness hands it back. */
export interface StartedTestApp extends Listening {
  /** The adapter's guard factories, for what they refuse at construction. */
  readonly oauth: NodeGuards<unknown>
}

/** One Node adapter under the shared suite. */
export interface NodeAdapterHarness {
  /** The framework, as test names show it. */
  readonly name: string
  /** Builds `app` on the adapter, as {@link TestApp} says, and serves it with `listen`. */
  start(app: TestApp): Promise<StartedTestApp>
}
