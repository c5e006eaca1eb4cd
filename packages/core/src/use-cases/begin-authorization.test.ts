import { describe, expect, it } from 'vitest'
import { OAuthError } from '../errors/oauth-error.js'
import {
  createPkce,
  createTestClient,
  createTestServer,
  REDIRECT_URI,
  rejectionOf,
  type TestClient,
} from '../test-support/test-server.js'
import type { AuthorizationStep, InteractionUser } from './begin-authorization.js'
import { LOGIN_MARKER } from './internal/login-marker.js'

const LOOPBACK = 'http://127.0.0.1:8080/callback'
const OTHER_PORT = 'http://127.0.0.1:4444/callback'
/** A challenge of a verifier only the attacker knows. */
const ATTACKER_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

async function queryOf(client: TestClient, extra: Record<string, string> = {}): Promise<string> {
  const { challenge } = await createPkce()
  return new URLSearchParams({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    state: 'st-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }).toString()
}

function expectKind<K extends AuthorizationStep['kind']>(
  step: AuthorizationStep,
  kind: K,
): Extract<AuthorizationStep, { kind: K }> {
  expect(step.kind).toBe(kind)
  return step as Extract<AuthorizationStep, { kind: K }>
}

async function redirectedError(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OAuthError)
  return error as OAuthError
}

/** A signed-in user who signed in at `authTime`. */
function user(authTime: Date, name = 'alice'): InteractionUser {
  return { user: name, session: `${name}-session`, authTime }
}

/** Shows the consent screen and approves it with remember, as the user would. */
async function approveRemembered(
  server: ReturnType<typeof createTestServer>['server'],
  query: string,
  signedIn: InteractionUser,
): Promise<void> {
  const consent = expectKind(await server.beginAuthorization({ parameters: query, signedIn }), 'consent')
  const answer = await server.answerConsent({
    ticket: consent.ticket,
    answer: 'approve',
    signedIn,
    remember: true,
  })
  expect(new URL(answer.redirectUrl).searchParams.get('code')).toEqual(expect.any(String))
}

describe('beginAuthorization: remembered consent and loopback redirects (RFC 8252 §7.3, §8.6)', () => {
  it('a public client remembered once does not approve silently: a request on another loopback port with an attacker challenge shows the screen, with that port', async () => {
    const { server, clock } = createTestServer()
    const cli = await createTestClient(server, {
      confidential: false,
      applicationType: 'native',
      redirectUris: [LOOPBACK],
    })
    const alice = user(clock.now())
    await approveRemembered(server, await queryOf(cli, { redirect_uri: LOOPBACK }), alice)
    expect(await server.hasConsent({ user: 'alice', clientId: cli.id, scopes: ['invoices.read'] })).toBe(true)

    const attack = await queryOf(cli, { redirect_uri: OTHER_PORT, code_challenge: ATTACKER_CHALLENGE })
    const step = await server.beginAuthorization({ parameters: attack, signedIn: alice })
    const consent = expectKind(step, 'consent')
    expect(consent.redirectUri).toBe(OTHER_PORT)
    expect(consent.remembered).toBe(true)
    // prompt=none cannot get a code silently either.
    const silent = await redirectedError(
      server.beginAuthorization({ parameters: `${attack}&prompt=none`, signedIn: alice }),
    )
    expect(silent.code).toBe('consent_required')
  })

  it('for a web client (the default), the other loopback port is refused and shown, remembered consent or not', async () => {
    const { server, clock } = createTestServer()
    const spa = await createTestClient(server, { confidential: false, redirectUris: [LOOPBACK] })
    const alice = user(clock.now())
    await approveRemembered(server, await queryOf(spa, { redirect_uri: LOOPBACK }), alice)
    const attack = await queryOf(spa, { redirect_uri: OTHER_PORT, code_challenge: ATTACKER_CHALLENGE })
    const refused = await redirectedError(server.beginAuthorization({ parameters: attack, signedIn: alice }))
    expect(refused.code).toBe('invalid_request')
    expect(refused.redirect).toBeUndefined()
  })

  it('a public client shows the screen again even on its registered redirect URI, marked remembered', async () => {
    const { server, clock } = createTestServer()
    const spa = await createTestClient(server, { confidential: false })
    const alice = user(clock.now())
    await approveRemembered(server, await queryOf(spa), alice)
    const again = expectKind(
      await server.beginAuthorization({ parameters: await queryOf(spa), signedIn: alice }),
      'consent',
    )
    expect(again.remembered).toBe(true)
    expect(again.redirectUri).toBe(REDIRECT_URI)
  })

  it('a confidential client (silentConsent by default) is approved silently from a remembered consent', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const alice = user(clock.now())
    await approveRemembered(server, await queryOf(erp), alice)
    const step = expectKind(
      await server.beginAuthorization({ parameters: await queryOf(erp), signedIn: alice }),
      'redirect',
    )
    expect(new URL(step.redirectUrl).searchParams.get('code')).toEqual(expect.any(String))
    // prompt=consent still shows the screen.
    const forced = await server.beginAuthorization({
      parameters: await queryOf(erp, { prompt: 'consent' }),
      signedIn: alice,
    })
    expect(forced.kind).toBe('consent')
  })

  it('a public client the operator opted in (silentConsent: true) is approved silently', async () => {
    const { server, clock } = createTestServer()
    const app = await createTestClient(server, { confidential: false, silentConsent: true })
    const alice = user(clock.now())
    await approveRemembered(server, await queryOf(app), alice)
    const step = await server.beginAuthorization({ parameters: await queryOf(app), signedIn: alice })
    expect(step.kind).toBe('redirect')
  })
})

describe('beginAuthorization: prompt=login and max_age are enforced', () => {
  it('prompt=login while signed in: login with reauthenticate; coming back with the same sign-in is login again, never a code', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const alice = user(clock.now())
    // A remembered consent: without the rule, coming back would redirect with a code at once.
    await approveRemembered(server, await queryOf(erp), alice)
    clock.advanceMinutes(5)
    const login = expectKind(
      await server.beginAuthorization({
        parameters: await queryOf(erp, { prompt: 'login' }),
        signedIn: alice,
      }),
      'login',
    )
    expect(login.reauthenticate).toBe(true)
    clock.advanceSeconds(10)
    const back = await server.beginAuthorization({ parameters: login.returnQuery, signedIn: alice })
    expect(back).toMatchObject({ kind: 'login', reauthenticate: true })
    // A sign-in since the login was asked for: the remembered consent approves.
    const signedInAgain = user(clock.now())
    const done = await server.beginAuthorization({ parameters: login.returnQuery, signedIn: signedInAgain })
    expect(done.kind).toBe('redirect')
  })

  it('the return query keeps the request as sent and adds a login marker; the marker is bound to the request and its time', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const query = await queryOf(erp, { prompt: 'login' })
    const login = expectKind(
      await server.beginAuthorization({ parameters: query, signedIn: user(clock.now()) }),
      'login',
    )
    expect(login.returnQuery.startsWith(`${query}&${LOGIN_MARKER}=`)).toBe(true)
    clock.advanceSeconds(30)
    const fresh = user(clock.now())
    // Moved to another request (other state): worthless, so login again.
    const moved = login.returnQuery.replace('state=st-1', 'state=st-2')
    expect((await server.beginAuthorization({ parameters: moved, signedIn: fresh })).kind).toBe('login')
    // Set back in time (its MAC no longer verifies): login again, even for a sign-in after that time.
    const marker = new URLSearchParams(login.returnQuery).get(LOGIN_MARKER)!
    const [millis, keyId, mac] = marker.split('~')
    const setBack = `${query}&${LOGIN_MARKER}=${encodeURIComponent(`${Number(millis) - 3600_000}~${keyId}~${mac}`)}`
    const oldSignIn = user(new Date(clock.now().getTime() - 1800_000))
    expect((await server.beginAuthorization({ parameters: setBack, signedIn: oldSignIn })).kind).toBe('login')
    // The genuine marker with a sign-in since it: consent.
    expect((await server.beginAuthorization({ parameters: login.returnQuery, signedIn: fresh })).kind).toBe(
      'consent',
    )
  })

  it('a sign-in at the very instant the login was asked for does not count: it must come after', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const login = expectKind(
      await server.beginAuthorization({
        parameters: await queryOf(erp, { prompt: 'login' }),
        signedIn: user(clock.now()),
      }),
      'login',
    )
    expect(
      (await server.beginAuthorization({ parameters: login.returnQuery, signedIn: user(clock.now()) })).kind,
    ).toBe('login')
    const later = user(new Date(clock.now().getTime() + 1))
    clock.advanceSeconds(1)
    expect((await server.beginAuthorization({ parameters: login.returnQuery, signedIn: later })).kind).toBe(
      'consent',
    )
  })

  it('a login marker older than the interaction time-to-live no longer counts: login again', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const login = expectKind(
      await server.beginAuthorization({
        parameters: await queryOf(erp, { prompt: 'login' }),
        signedIn: user(clock.now()),
        ttlSeconds: 300,
      }),
      'login',
    )
    clock.advanceSeconds(301)
    const fresh = user(clock.now())
    const step = await server.beginAuthorization({
      parameters: login.returnQuery,
      signedIn: fresh,
      ttlSeconds: 300,
    })
    expect(step.kind).toBe('login')
  })

  it('without authTime, prompt=login is never satisfied', async () => {
    const { server } = createTestServer()
    const erp = await createTestClient(server)
    const login = expectKind(
      await server.beginAuthorization({
        parameters: await queryOf(erp, { prompt: 'login' }),
        signedIn: { user: 'alice' },
      }),
      'login',
    )
    expect(
      (await server.beginAuthorization({ parameters: login.returnQuery, signedIn: { user: 'alice' } })).kind,
    ).toBe('login')
  })

  it('signed out with prompt=login: login (no reauthenticate) with a marker; a sign-in after it proceeds', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const login = expectKind(
      await server.beginAuthorization({
        parameters: await queryOf(erp, { prompt: 'login' }),
        signedIn: null,
      }),
      'login',
    )
    expect(login.reauthenticate).toBe(false)
    expect(login.returnQuery).toContain(`${LOGIN_MARKER}=`)
    clock.advanceSeconds(20)
    expect(
      (await server.beginAuthorization({ parameters: login.returnQuery, signedIn: user(clock.now()) })).kind,
    ).toBe('consent')
  })

  it('max_age: a sign-in older than max_age goes to login with reauthenticate; a newer one proceeds', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const signedInAt = clock.now()
    clock.advanceSeconds(120)
    const old = user(signedInAt)
    const within = await server.beginAuthorization({
      parameters: await queryOf(erp, { max_age: '300' }),
      signedIn: old,
    })
    expect(within.kind).toBe('consent')
    const past = expectKind(
      await server.beginAuthorization({ parameters: await queryOf(erp, { max_age: '60' }), signedIn: old }),
      'login',
    )
    expect(past.reauthenticate).toBe(true)
    expect((await server.beginAuthorization({ parameters: past.returnQuery, signedIn: old })).kind).toBe(
      'login',
    )
    clock.advanceSeconds(5)
    const fresh = user(clock.now())
    expect((await server.beginAuthorization({ parameters: past.returnQuery, signedIn: fresh })).kind).toBe(
      'consent',
    )
  })

  it('max_age=0 is met by a sign-in after the login it asked for, however long that took within the time-to-live', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const earlier = user(clock.now())
    clock.advanceSeconds(1)
    const login = expectKind(
      await server.beginAuthorization({
        parameters: await queryOf(erp, { max_age: '0' }),
        signedIn: earlier,
      }),
      'login',
    )
    clock.advanceSeconds(40)
    const fresh = user(clock.now())
    clock.advanceSeconds(40)
    expect((await server.beginAuthorization({ parameters: login.returnQuery, signedIn: fresh })).kind).toBe(
      'consent',
    )
  })

  it('max_age passed with prompt=none is login_required, redirected; a malformed max_age is invalid_request, redirected', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const old = user(clock.now())
    clock.advanceSeconds(120)
    const none = await redirectedError(
      server.beginAuthorization({
        parameters: await queryOf(erp, { max_age: '60', prompt: 'none' }),
        signedIn: old,
      }),
    )
    expect(none.code).toBe('login_required')
    expect(none.redirect).toMatchObject({ redirectUri: REDIRECT_URI, state: 'st-1' })
    for (const maxAge of ['-1', '1.5', 'soon', '1e3']) {
      const bad = await redirectedError(
        server.beginAuthorization({ parameters: await queryOf(erp, { max_age: maxAge }), signedIn: old }),
      )
      expect(bad.code).toBe('invalid_request')
      expect(bad.redirect).toMatchObject({ redirectUri: REDIRECT_URI })
    }
  })
})

describe('beginAuthorization: the other steps', () => {
  it('signed out: login with the query exactly as sent; prompt=none: login_required', async () => {
    const { server } = createTestServer()
    const erp = await createTestClient(server)
    const query = `${await queryOf(erp)}&extra=a%2Fb+c`
    expect(await server.beginAuthorization({ parameters: query, signedIn: null })).toEqual({
      kind: 'login',
      returnQuery: query,
      reauthenticate: false,
    })
    const none = await redirectedError(
      server.beginAuthorization({ parameters: await queryOf(erp, { prompt: 'none' }), signedIn: null }),
    )
    expect(none.code).toBe('login_required')
  })

  it('takes the parameters as URLSearchParams or a record too', async () => {
    const { server, clock } = createTestServer()
    const erp = await createTestClient(server)
    const query = await queryOf(erp)
    const alice = user(clock.now())
    for (const parameters of [new URLSearchParams(query), Object.fromEntries(new URLSearchParams(query))]) {
      const step = expectKind(await server.beginAuthorization({ parameters, signedIn: alice }), 'consent')
      expect(step.request.client.id).toBe(erp.id)
    }
  })
})
