import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { INVOICES_READ, INVOICES_WRITE, loginLocation } from '../harness/adapter-harness.js'
import {
  authorizeThroughConsent,
  callbackOf,
  clientOf,
  cookiesOf,
  exchangeCode,
  get,
  newBrowser,
  obtainTokens,
  openConsent,
  prepareAuthorization,
} from '../support/oauth-client.js'
import { ERP_REDIRECT_URI } from '../support/test-environment.js'
import type { Targets } from './environments.js'
import { expectRedirectedError } from './expectations.js'

/** Remembered consent, `prompt`, and the login hook. */
export function describeConsent(targets: () => Targets): void {
  describe('consent and prompt', () => {
    it('a remembered consent skips the screen: authorize redirects straight back with a code, for the same or fewer scopes', async () => {
      const { env, as } = targets().opaque
      const first = await obtainTokens(env, as, { scope: `${INVOICES_READ} ${INVOICES_WRITE}` })
      for (const scope of [`${INVOICES_READ} ${INVOICES_WRITE}`, INVOICES_READ]) {
        const prepared = await prepareAuthorization(env, as, { scope })
        const response = await get(prepared.url, cookiesOf(first.browser))
        const callback = callbackOf(as, prepared, response)
        const tokens = await oauth.processAuthorizationCodeResponse(
          as,
          clientOf(env.clients.erp),
          await exchangeCode(as, prepared, callback),
        )
        expect(tokens.scope).toBe(scope)
      }
    })

    it('a consent given without remember is asked again next time', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      await authorizeThroughConsent(env, as, browser, { remember: false })
      const again = await prepareAuthorization(env, as)
      await openConsent(again.url, browser)
    })

    it('a remembered consent does not cover a wider scope: the screen is shown', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      await authorizeThroughConsent(env, as, browser, { scope: INVOICES_READ })
      const wider = await prepareAuthorization(env, as, { scope: `${INVOICES_READ} ${INVOICES_WRITE}` })
      await openConsent(wider.url, browser)
    })

    it('prompt=consent shows the screen even when consent is remembered', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      await authorizeThroughConsent(env, as, browser)
      const forced = await prepareAuthorization(env, as, { prompt: 'consent' })
      const consent = await openConsent(forced.url, browser)
      expect(consent.client_id).toBe(env.clients.erp.id)
    })

    it('prompt=none with a remembered consent redirects with a code', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      await authorizeThroughConsent(env, as, browser)
      const silent = await prepareAuthorization(env, as, { prompt: 'none' })
      const callback = callbackOf(as, silent, await get(silent.url, cookiesOf(browser)))
      expect(callback.get('code')).toBeTruthy()
    })

    it('prompt=none without a consent redirects with error=consent_required, state and iss', async () => {
      const { env, as } = targets().opaque
      const since = env.events.length
      const silent = await prepareAuthorization(env, as, { prompt: 'none' })
      const response = await get(silent.url, cookiesOf(newBrowser(env)))
      expectRedirectedError(response, {
        redirectUri: ERP_REDIRECT_URI,
        error: 'consent_required',
        state: silent.state,
        issuer: env.issuer,
      })
      expect(env.eventsSince(since, 'OAuthAuthorizationApproved')).toEqual([])
    })

    it('prompt=none signed out redirects with error=login_required instead of calling the login hook', async () => {
      const { env, as } = targets().opaque
      const silent = await prepareAuthorization(env, as, { prompt: 'none' })
      expectRedirectedError(await get(silent.url), {
        redirectUri: ERP_REDIRECT_URI,
        error: 'login_required',
        state: silent.state,
        issuer: env.issuer,
      })
    })

    it('the login hook gets the request URL exactly as sent (path and raw query, escapes untouched)', async () => {
      const { env, as } = targets().opaque
      const prepared = await prepareAuthorization(env, as)
      // An escaped slash, a plus, a UTF-8 escape, lower-case hex and an empty parameter.
      const target = `${prepared.url.pathname}${prepared.url.search}&state2=a%2Fb+c%C3%A9%e2%82%ac&empty=`
      const response = await get(`${env.origin}${target}`)
      expect(response.status).toBe(302)
      expect(response.headers.get('location')).toBe(loginLocation(target))
    })
  })
}
