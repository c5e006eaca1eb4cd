import { describe, expect, it } from 'vitest'
import { INVOICES_READ, loginLocation, TEST_AUTH_TIME_COOKIE } from '../harness/adapter-harness.js'
import {
  answerConsent,
  authorizeThroughConsent,
  type Browser,
  callbackOf,
  cookiesOf,
  get,
  newBrowser,
  openConsent,
  prepareAuthorization,
} from '../support/oauth-client.js'
import { NATIVE_REDIRECT_URI, PUBLIC_REDIRECT_URI } from '../support/test-environment.js'
import type { Target, Targets } from './environments.js'
import { expectShownError } from './expectations.js'

/** A code challenge whose verifier only the attacker knows. */
const ATTACKER_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

/** `uri` (registered without a port) on `port`. */
const onPort = (uri: string, port: number): string => uri.replace('127.0.0.1', `127.0.0.1:${port}`)

/** The browser's cookies, with when its user signed in. */
function signedInAt(browser: Browser, authTime: Date): Record<string, string> {
  const { cookie } = cookiesOf(browser)
  return { cookie: `${cookie}; ${TEST_AUTH_TIME_COOKIE}=${authTime.getTime()}` }
}

/** Where the login hook sends the user back to, read from its redirect. */
function returnToOf(response: Response): string {
  const location = new URL(response.headers.get('location') ?? '', 'http://x')
  return location.searchParams.get('return_to') ?? ''
}

/** Runs `body` with the server's clock restored afterwards. */
async function withClock(target: Target, body: () => Promise<void>): Promise<void> {
  const start = target.env.clock.now()
  try {
    await body()
  } finally {
    target.env.clock.set(start)
  }
}

/** Issue 9: the interaction rules the core enforces, seen through each adapter on a real socket. */
export function describeInteractionRules(targets: () => Targets): void {
  describe('interaction rules (remembered consent, loopback ports, prompt=login, max_age, single-use tickets)', () => {
    it('a public native client remembered once: another loopback port with an attacker code_challenge gets the consent screen, naming that port; no code', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      const client = env.clients.native
      await authorizeThroughConsent(env, as, browser, {
        client,
        redirectUri: onPort(NATIVE_REDIRECT_URI, 8080),
      })
      const since = env.events.length
      const attack = await prepareAuthorization(env, as, {
        client,
        redirectUri: onPort(NATIVE_REDIRECT_URI, 4444),
        extra: { code_challenge: ATTACKER_CHALLENGE },
      })
      const consent = await openConsent(attack.url, browser)
      expect(consent.redirect_uri).toBe(onPort(NATIVE_REDIRECT_URI, 4444))
      expect(consent.remembered).toBe(true)
      const none = await prepareAuthorization(env, as, {
        client,
        redirectUri: onPort(NATIVE_REDIRECT_URI, 4444),
        prompt: 'none',
        extra: { code_challenge: ATTACKER_CHALLENGE },
      })
      const silent = await get(none.url, cookiesOf(browser))
      expect(new URL(silent.headers.get('location')!).searchParams.get('error')).toBe('consent_required')
      expect(env.eventsSince(since, 'OAuthAuthorizationApproved')).toEqual([])
    })

    it('a web client (the default) gets another loopback port refused, shown: RFC 8252 any-port matching is for native clients only', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      const client = env.clients.public
      await authorizeThroughConsent(env, as, browser, { client, redirectUri: PUBLIC_REDIRECT_URI })
      const attack = await prepareAuthorization(env, as, {
        client,
        redirectUri: onPort(PUBLIC_REDIRECT_URI, 4444),
        extra: { code_challenge: ATTACKER_CHALLENGE },
      })
      await expectShownError(await get(attack.url, cookiesOf(browser)), 'invalid_request')
    })

    it('prompt=login while signed in: the login hook is told to re-authenticate, and the same sign-in coming back gets no code', async () => {
      const target = targets().opaque
      const { env, as } = target
      await withClock(target, async () => {
        const browser = newBrowser(env)
        // Remembered consent for a confidential client: without the rule, a code at once.
        await authorizeThroughConsent(env, as, browser)
        const earlier = env.clock.now()
        env.clock.advanceSeconds(60)
        const prepared = await prepareAuthorization(env, as, { prompt: 'login' })
        const first = await get(prepared.url, signedInAt(browser, earlier))
        expect(first.status).toBe(302)
        const returnTo = returnToOf(first)
        expect(first.headers.get('location')).toBe(loginLocation(returnTo, { reauthenticate: true }))
        expect(new URL(returnTo, env.origin).searchParams.get('prompt')).toBe('login')
        // Back from the login hook with no new sign-in: the login hook again, never the client.
        const again = await get(`${env.origin}${returnTo}`, signedInAt(browser, earlier))
        expect(again.headers.get('location')).toBe(loginLocation(returnTo, { reauthenticate: true }))
        // After a real sign-in, the request goes on (here: the remembered consent answers).
        env.clock.advanceSeconds(5)
        const done = await get(`${env.origin}${returnTo}`, signedInAt(browser, env.clock.now()))
        expect(callbackOf(as, prepared, done).get('code')).toBeTruthy()
      })
    })

    it('max_age: a sign-in older than max_age goes to the login hook to re-authenticate; a recent one is asked for consent', async () => {
      const target = targets().opaque
      const { env, as } = target
      await withClock(target, async () => {
        const browser = newBrowser(env)
        const signedIn = env.clock.now()
        env.clock.advanceSeconds(120)
        const recent = await prepareAuthorization(env, as, { extra: { max_age: '300' } })
        expect((await get(recent.url, signedInAt(browser, signedIn))).status).toBe(200)
        const strict = await prepareAuthorization(env, as, { extra: { max_age: '60' } })
        const response = await get(strict.url, signedInAt(browser, signedIn))
        expect(response.headers.get('location')).toBe(
          loginLocation(returnToOf(response), { reauthenticate: true }),
        )
      })
    })

    it('a consent ticket is answered once: posted twice, the second is refused (shown) and one code is issued', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      const prepared = await prepareAuthorization(env, as, { scope: INVOICES_READ })
      const { ticket } = await openConsent(prepared.url, browser)
      const since = env.events.length
      const first = await answerConsent(env, 'approve', { ticket }, browser)
      expect(callbackOf(as, prepared, first).get('code')).toBeTruthy()
      await expectShownError(await answerConsent(env, 'approve', { ticket }, browser))
      await expectShownError(await answerConsent(env, 'deny', { ticket }, browser))
      expect(env.eventsSince(since, 'OAuthAuthorizationApproved')).toHaveLength(1)
    })

    it('50 concurrent posts of one consent ticket: exactly one redirect with a code, 49 refused', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      const prepared = await prepareAuthorization(env, as, { scope: INVOICES_READ })
      const { ticket } = await openConsent(prepared.url, browser)
      const since = env.events.length
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => answerConsent(env, 'approve', { ticket }, browser)),
      )
      const redirects = responses.filter((response) => response.status === 302)
      expect(redirects).toHaveLength(1)
      expect(callbackOf(as, prepared, redirects[0]!).get('code')).toBeTruthy()
      for (const response of responses.filter((r) => r.status !== 302)) {
        await expectShownError(response)
      }
      expect(env.eventsSince(since, 'OAuthAuthorizationApproved')).toHaveLength(1)
    })
  })
}
