import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { INVOICES_READ, INVOICES_WRITE } from '../harness/adapter-harness.js'
import {
  answerConsent,
  type Browser,
  callbackOf,
  clientOf,
  exchangeCode,
  get,
  newBrowser,
  openConsent,
  type PreparedAuthorization,
  prepareAuthorization,
} from '../support/oauth-client.js'
import {
  CONSENT_TICKET_TTL_SECONDS,
  ERP_REDIRECT_URI,
  ERP_SECOND_REDIRECT_URI,
  type TestEnvironment,
} from '../support/test-environment.js'
import type { Target, Targets } from './environments.js'
import { expectOAuthError, expectRedirectedError, expectShownError } from './expectations.js'

interface OpenConsent {
  readonly prepared: PreparedAuthorization
  readonly browser: Browser
  readonly ticket: string
}

async function openFreshConsent(target: Target, scope = INVOICES_READ): Promise<OpenConsent> {
  const { env, as } = target
  const browser = newBrowser(env)
  const prepared = await prepareAuthorization(env, as, { scope })
  const consent = await openConsent(prepared.url, browser)
  return { prepared, browser, ticket: consent.ticket }
}

/** The ticket with the authorization request inside it changed (its MAC left as it was). */
function tamper(ticket: string, change: (query: URLSearchParams) => void): string {
  const fields = new URLSearchParams(ticket)
  const query = new URLSearchParams(fields.get('q')!)
  change(query)
  fields.set('q', query.toString())
  return fields.toString()
}

/** Answers the consent form and expects it refused as `invalid_request`, shown, with nothing issued. */
async function expectRefused(
  env: TestEnvironment,
  answer: 'approve' | 'deny',
  fields: Record<string, string>,
  browser: Browser | null,
): Promise<void> {
  const since = env.events.length
  const response = await answerConsent(env, answer, fields, browser)
  await expectShownError(response, 'invalid_request')
  expect(env.eventsSince(since, 'OAuthAuthorizationApproved')).toEqual([])
  expect(env.eventsSince(since, 'OAuthAuthorizationDenied')).toEqual([])
}

/** CSRF and binding of the consent form (approve and deny) to its user, session and request. */
export function describeConsentTicket(targets: () => Targets): void {
  describe('consent form ticket (CSRF and binding)', () => {
    it('approve without a ticket (or with an empty one) is refused: 400 invalid_request, nothing issued', async () => {
      const { env } = targets().opaque
      const { browser } = await openFreshConsent(targets().opaque)
      await expectRefused(env, 'approve', { remember: 'on' }, browser)
      await expectRefused(env, 'approve', { ticket: '', remember: 'on' }, browser)
      await expectRefused(env, 'approve', { ticket: 'q=x&e=1&k=k1&m=forged' }, browser)
    })

    it('a ticket issued to another user is refused, on approve and on deny', async () => {
      const { env } = targets().opaque
      const { browser, ticket } = await openFreshConsent(targets().opaque)
      const other = { user: env.newUser(), session: browser.session }
      await expectRefused(env, 'approve', { ticket, remember: 'on' }, other)
      await expectRefused(env, 'deny', { ticket }, other)
    })

    it('a ticket used in another session of the same user is refused', async () => {
      const { env } = targets().opaque
      const { browser, ticket } = await openFreshConsent(targets().opaque)
      await expectRefused(
        env,
        'approve',
        { ticket },
        { user: browser.user, session: `${browser.session}-other` },
      )
    })

    it('a ticket posted signed out is refused', async () => {
      const { env } = targets().opaque
      const { ticket } = await openFreshConsent(targets().opaque)
      await expectRefused(env, 'approve', { ticket }, null)
    })

    it('a tampered ticket is refused: changed client_id, redirect_uri, scope, code_challenge or expiry', async () => {
      const { env } = targets().opaque
      const { browser, ticket } = await openFreshConsent(targets().opaque)
      const tampered = [
        tamper(ticket, (q) => q.set('client_id', env.clients.single.id)),
        tamper(ticket, (q) => q.set('redirect_uri', ERP_SECOND_REDIRECT_URI)),
        tamper(ticket, (q) => q.set('scope', `${INVOICES_READ} ${INVOICES_WRITE}`)),
        tamper(ticket, (q) => q.set('code_challenge', 'A'.repeat(43))),
        (() => {
          const fields = new URLSearchParams(ticket)
          fields.set('e', String(Number(fields.get('e')) + 3600))
          return fields.toString()
        })(),
      ]
      for (const forged of tampered)
        await expectRefused(env, 'approve', { ticket: forged, remember: 'on' }, browser)
      // The genuine ticket still works afterwards: nothing above consumed or changed anything.
      const ok = await answerConsent(env, 'approve', { ticket }, browser)
      expect(ok.status).toBe(302)
    })

    it('an expired ticket is refused (fake clock past consentTicketTtlSeconds); one just inside it still works', async () => {
      const { env, as } = targets().opaque
      const start = env.clock.now()
      try {
        const early = await openFreshConsent(targets().opaque)
        env.clock.advanceSeconds(CONSENT_TICKET_TTL_SECONDS - 1)
        const fine = await answerConsent(env, 'approve', { ticket: early.ticket }, early.browser)
        expect(callbackOf(as, early.prepared, fine).get('code')).toBeTruthy()
        env.clock.set(start)
        const late = await openFreshConsent(targets().opaque)
        env.clock.advanceSeconds(CONSENT_TICKET_TTL_SECONDS)
        await expectRefused(env, 'approve', { ticket: late.ticket, remember: 'on' }, late.browser)
        await expectRefused(env, 'deny', { ticket: late.ticket }, late.browser)
      } finally {
        env.clock.set(start)
      }
    })

    it('deny redirects with error=access_denied, state and iss, and issues nothing', async () => {
      const { env, as } = targets().opaque
      const { prepared, browser, ticket } = await openFreshConsent(targets().opaque)
      const since = env.events.length
      const response = await answerConsent(env, 'deny', { ticket }, browser)
      expectRedirectedError(response, {
        redirectUri: ERP_REDIRECT_URI,
        error: 'access_denied',
        state: prepared.state,
        issuer: env.issuer,
      })
      expect(env.eventsSince(since, 'OAuthAuthorizationApproved')).toEqual([])
      expect(env.eventsSince(since, 'OAuthAuthorizationDenied')).toMatchObject([
        { clientId: env.clients.erp.id, userId: browser.user },
      ])
      // And nothing was remembered: the next request asks again.
      await openConsent((await prepareAuthorization(env, as)).url, browser)
    })

    it('approve may narrow the scope to a subset of the request; widening it is refused (400 invalid_scope) and grants nothing', async () => {
      const { env, as } = targets().opaque
      const { prepared, browser, ticket } = await openFreshConsent(
        targets().opaque,
        `${INVOICES_READ} ${INVOICES_WRITE}`,
      )
      const narrowed = await answerConsent(env, 'approve', { ticket, scope: INVOICES_READ }, browser)
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        clientOf(env.clients.erp),
        await exchangeCode(as, prepared, callbackOf(as, prepared, narrowed)),
      )
      expect(tokens.scope).toBe(INVOICES_READ)

      const small = await openFreshConsent(targets().opaque, INVOICES_READ)
      const since = env.events.length
      const widened = await answerConsent(
        env,
        'approve',
        { ticket: small.ticket, scope: `${INVOICES_READ} ${INVOICES_WRITE}` },
        small.browser,
      )
      // Refused as shown (400 invalid_scope): the scope field comes from the app's consent form.
      await expectShownError(widened, 'invalid_scope')
      const granted = env
        .eventsSince(since, 'OAuthAuthorizationApproved')
        .flatMap((event) => (event.type === 'OAuthAuthorizationApproved' ? event.scopes : []))
      expect(granted).toEqual([])
    })

    it('approve after the client was revoked is refused (400, shown) and issues nothing', async () => {
      const { env, as } = targets().opaque
      const created = await env.server.createClient({
        name: 'Soon Revoked',
        redirectUris: [ERP_REDIRECT_URI],
        allowedGrants: ['authorization_code'],
        allowedScopes: [INVOICES_READ],
        confidential: true,
      })
      const browser = newBrowser(env)
      const prepared = await prepareAuthorization(env, as, {
        client: { id: created.client.id, secret: created.plaintextSecret },
      })
      const { ticket } = await openConsent(prepared.url, browser)
      await env.server.revokeClient(created.client.id)
      await expectRefused(env, 'approve', { ticket }, browser)
    })

    it('the consent form routes take POST only: GET gets 405 with Allow: POST', async () => {
      const { env } = targets().opaque
      for (const path of ['/oauth/authorize/approve', '/oauth/authorize/deny']) {
        const response = await get(`${env.origin}${path}`)
        await expectOAuthError(response, 405, 'invalid_request')
        expect(response.headers.get('allow')).toBe('POST')
      }
    })
  })
}
