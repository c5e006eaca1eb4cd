import { rawRequest } from '@sp-oauth/node-http/test-support'
import { describe, expect, it } from 'vitest'
import { cookiesOf, get, newBrowser, prepareAuthorization } from '../support/oauth-client.js'
import { ERP_REDIRECT_URI, PUBLIC_REDIRECT_URI } from '../support/test-environment.js'
import type { Targets } from './environments.js'
import { expectOAuthError, expectRedirectedError, expectShownError } from './expectations.js'

/** RFC 6749 §4.1.2.1: which authorization errors are shown and which are redirected. */
export function describeAuthorizationErrors(targets: () => Targets): void {
  describe('authorization endpoint errors', () => {
    it('errors before the client and redirect URI are verified are shown (400, JSON, no Location), signed in or not', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      const base = await prepareAuthorization(env, as)
      const variants: Record<string, (query: URLSearchParams) => void> = {
        'no client_id': (q) => q.delete('client_id'),
        'unknown client_id': (q) => q.set('client_id', '00000000-0000-4000-8000-000000000000'),
        'malformed client_id': (q) => q.set('client_id', 'not-a-uuid'),
        'unregistered redirect_uri': (q) => q.set('redirect_uri', 'https://attacker.example/callback'),
        'redirect_uri with an extra path': (q) => q.set('redirect_uri', `${ERP_REDIRECT_URI}/x`),
        'redirect_uri in another case': (q) => q.set('redirect_uri', ERP_REDIRECT_URI.toUpperCase()),
        'no redirect_uri for a client with two': (q) => q.delete('redirect_uri'),
        'duplicate client_id': (q) => q.append('client_id', env.clients.erp.id),
        'duplicate redirect_uri': (q) => q.append('redirect_uri', ERP_REDIRECT_URI),
      }
      for (const [name, change] of Object.entries(variants)) {
        const url = new URL(base.url)
        change(url.searchParams)
        for (const who of [browser, null]) {
          const response = await get(url, cookiesOf(who))
          await expect(
            expectShownError(response),
            `${name} (${who ? 'signed in' : 'signed out'})`,
          ).resolves.toBe(undefined)
        }
      }
    })

    it('errors after the client and redirect URI are verified are redirected with error, state and iss', async () => {
      const { env, as } = targets().opaque
      const browser = newBrowser(env)
      const cases: {
        name: string
        change: (q: URLSearchParams) => void
        error: string
        redirectUri?: string
      }[] = [
        {
          name: 'response_type=token',
          change: (q) => q.set('response_type', 'token'),
          error: 'unsupported_response_type',
        },
        { name: 'no response_type', change: (q) => q.delete('response_type'), error: 'invalid_request' },
        { name: 'unknown scope', change: (q) => q.set('scope', 'admin'), error: 'invalid_scope' },
        {
          name: 'scope the client may not have',
          change: (q) => q.set('scope', 'reports.read'),
          error: 'invalid_scope',
        },
        {
          name: 'bad code_challenge_method',
          change: (q) => q.set('code_challenge_method', 'S512'),
          error: 'invalid_request',
        },
        {
          name: 'short code_challenge',
          change: (q) => q.set('code_challenge', 'abc'),
          error: 'invalid_request',
        },
        {
          name: 'method without challenge',
          change: (q) => q.delete('code_challenge'),
          error: 'invalid_request',
        },
        {
          // RFC 9700 §2.1.1, OAuth 2.1: the default pkce.requiredFor is all-clients.
          name: 'confidential client without PKCE (required of every client by default)',
          change: (q) => {
            q.delete('code_challenge')
            q.delete('code_challenge_method')
          },
          error: 'invalid_request',
        },
        {
          name: 'public client without PKCE',
          change: (q) => {
            q.set('client_id', env.clients.public.id)
            q.set('redirect_uri', PUBLIC_REDIRECT_URI)
            q.delete('code_challenge')
            q.delete('code_challenge_method')
          },
          error: 'invalid_request',
          redirectUri: PUBLIC_REDIRECT_URI,
        },
        {
          name: 'no redirect_uri, one registered (used), unknown scope',
          change: (q) => {
            q.set('client_id', env.clients.single.id)
            q.delete('redirect_uri')
            q.set('scope', 'admin')
          },
          error: 'invalid_scope',
        },
      ]
      for (const { name, change, error, redirectUri } of cases) {
        const prepared = await prepareAuthorization(env, as)
        change(prepared.url.searchParams)
        for (const who of [browser, null]) {
          const response = await get(prepared.url, cookiesOf(who))
          expect(
            () =>
              expectRedirectedError(response, {
                redirectUri: redirectUri ?? ERP_REDIRECT_URI,
                error,
                state: prepared.state,
                issuer: env.issuer,
              }),
            name,
          ).not.toThrow()
        }
      }
    })

    it('a repeated parameter (scope, state, response_type) is refused with invalid_request, shown since the parameters are read as a whole first', async () => {
      // RFC 6749 §4.1.2.1 would redirect this one (client and redirect URI are fine); the core reads
      // the whole query strictly before trusting anything in it, so it shows the error instead.
      const { env, as } = targets().opaque
      for (const name of ['scope', 'state', 'response_type']) {
        const prepared = await prepareAuthorization(env, as)
        prepared.url.searchParams.append(name, prepared.url.searchParams.get(name)!)
        await expectShownError(await get(prepared.url, cookiesOf(newBrowser(env))))
      }
    })

    it('a redirected error without state carries no state parameter', async () => {
      const { env, as } = targets().opaque
      const prepared = await prepareAuthorization(env, as)
      prepared.url.searchParams.delete('state')
      prepared.url.searchParams.set('scope', 'admin')
      expectRedirectedError(await get(prepared.url), {
        redirectUri: ERP_REDIRECT_URI,
        error: 'invalid_scope',
        state: null,
        issuer: env.issuer,
      })
    })

    it('code_challenge_method=plain, or a challenge without a method (plain), is refused by default: S256 only (RFC 9700 §2.1.1)', async () => {
      for (const { env, as } of [targets().opaque, targets().jwt]) {
        for (const method of ['plain', null]) {
          const prepared = await prepareAuthorization(env, as)
          prepared.url.searchParams.set('code_challenge', 'a'.repeat(43))
          if (method === null) prepared.url.searchParams.delete('code_challenge_method')
          else prepared.url.searchParams.set('code_challenge_method', method)
          expectRedirectedError(await get(prepared.url, cookiesOf(newBrowser(env))), {
            redirectUri: ERP_REDIRECT_URI,
            error: 'invalid_request',
            state: prepared.state,
            issuer: env.issuer,
          })
        }
      }
    })

    it('broken percent-encoding in the authorize query gets 400 invalid_request (shown), never 5xx', async () => {
      const { env, as } = targets().opaque
      const prepared = await prepareAuthorization(env, as)
      const valid = `${prepared.url.pathname}${prepared.url.search}`
      const targetsToTry: Record<string, string> = {
        '%zz': `${valid}&state=%zz`,
        '% at the end': `${valid}&x=%`,
        '%C3%28 (invalid UTF-8 escape)': `${valid}&x=%C3%28`,
        '%FF': `/oauth/authorize?client_id=%FF`,
        'lone surrogate escape %ED%A0%80': `${valid}&x=%ED%A0%80`,
      }
      for (const [name, target] of Object.entries(targetsToTry)) {
        const response = await rawRequest(env.origin, {
          method: 'GET',
          target,
          headers: cookiesOf(newBrowser(env)),
        })
        expect({ name, status: response.status, location: response.headers.location }).toEqual({
          name,
          status: 400,
          location: undefined,
        })
        expect(response.json, name).toMatchObject({ error: 'invalid_request' })
        expect(response.headers['cache-control'], name).toBe('no-store')
      }
    })

    it('raw non-ASCII bytes in the authorize request target get 400, never 5xx (Node refuses them before the adapter)', async () => {
      const { env, as } = targets().opaque
      const prepared = await prepareAuthorization(env, as)
      const valid = `${prepared.url.pathname}${prepared.url.search}`
      const targetsToTry: Record<string, string> = {
        'raw bytes C3 28': `${valid}&x=\xC3\x28`,
        'raw byte FF': `${valid}&x=\xFF`,
        'raw UTF-8 é (valid UTF-8, but unescaped)': `${valid}&x=\xC3\xA9`,
      }
      for (const [name, target] of Object.entries(targetsToTry)) {
        const response = await rawRequest(env.origin, {
          method: 'GET',
          target,
          headers: cookiesOf(newBrowser(env)),
        })
        expect({ name, status: response.status, location: response.headers.location }).toEqual({
          name,
          status: 400,
          location: undefined,
        })
      }
    })

    it('the authorize route takes GET (and HEAD) only: POST gets 405 with Allow', async () => {
      const { env } = targets().opaque
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const response = await fetch(`${env.origin}/oauth/authorize`, { method, redirect: 'manual' })
        await expectOAuthError(response, 405, 'invalid_request')
        expect(response.headers.get('allow')).toBe('GET, HEAD')
      }
    })
  })
}
