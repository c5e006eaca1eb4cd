// The same raw requests against every adapter: each must answer what the reference harness (plain
// node:http through the shared @sp-oauth/node-http flow, no framework) answers, status, the headers
// a client reads, and body, with only random and port-specific parts masked. A difference here is
// an adapter bug to report, so nothing beyond that masking is normalised.
import { formPost, type RawRequest, rawRequest } from '@sp-oauth/node-http/test-support'
import type * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AdapterHarness } from './harness/adapter-harness.js'
import { INVOICES_READ, TEST_ROUTES, TEST_USER_HEADER } from './harness/adapter-harness.js'
import { expressHarness } from './harness/express-harness.js'
import { koaHarness } from './harness/koa-harness.js'
import { rawHarness } from './harness/raw-harness.js'
import { discover, obtainTokens, serviceToken } from './support/oauth-client.js'
import { masker, type ResponseSnapshot, snapshotOf } from './support/response-snapshot.js'
import { memoryStorage } from './support/storage-under-test.js'
import {
  BODY_LIMIT_BYTES,
  ERP_REDIRECT_URI,
  startEnvironment,
  type TestEnvironment,
} from './support/test-environment.js'

const REFERENCE = rawHarness
const ADAPTERS: readonly AdapterHarness[] = [expressHarness, koaHarness]

/** What a request may use: the servers of one harness and tokens obtained on them beforehand. */
interface Fixture {
  readonly opaque: TestEnvironment
  readonly jwt: TestEnvironment
  readonly readToken: string
  readonly reportsToken: string
  readonly userToken: string
}

type RequestCase = readonly [name: string, server: 'opaque' | 'jwt', build: (fixture: Fixture) => RawRequest]

const STATE = 'parity-state'
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

function authorizeQuery(env: TestEnvironment, change: Record<string, string | null> = {}): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: env.clients.erp.id,
    redirect_uri: ERP_REDIRECT_URI,
    scope: INVOICES_READ,
    state: STATE,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  })
  for (const [name, value] of Object.entries(change)) {
    if (value === null) query.delete(name)
    else query.set(name, value)
  }
  return `/oauth/authorize?${query}`
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}

function serviceForm(env: TestEnvironment, extra = ''): string {
  return `grant_type=client_credentials&client_id=${env.clients.service.id}&client_secret=${env.clients.service.secret}&scope=${INVOICES_READ}${extra}`
}

const get = (target: string, headers: Record<string, string> = {}): RawRequest => ({
  method: 'GET',
  target,
  headers,
})
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const signedIn = { [TEST_USER_HEADER]: 'parity-user' }

const CASES: readonly RequestCase[] = [
  ['metadata', 'opaque', () => get('/.well-known/oauth-authorization-server')],
  ['metadata under the prefix', 'opaque', () => get('/oauth/.well-known/oauth-authorization-server')],
  ['metadata, HEAD', 'opaque', () => ({ method: 'HEAD', target: '/.well-known/oauth-authorization-server' })],
  ['metadata, POST', 'opaque', () => formPost('/.well-known/oauth-authorization-server', '')],
  ['metadata with JWT tokens', 'jwt', () => get('/.well-known/oauth-authorization-server')],
  ['JWKS with JWT tokens', 'jwt', () => get('/oauth/jwks')],
  ['JWKS with opaque tokens', 'opaque', () => get('/oauth/jwks')],
  [
    'authorize: no client_id (shown)',
    'opaque',
    ({ opaque }) => get(authorizeQuery(opaque, { client_id: null })),
  ],
  [
    'authorize: unregistered redirect_uri (shown)',
    'opaque',
    ({ opaque }) => get(authorizeQuery(opaque, { redirect_uri: 'https://attacker.example/cb' })),
  ],
  [
    'authorize: unsupported response_type (redirected)',
    'opaque',
    ({ opaque }) => get(authorizeQuery(opaque, { response_type: 'token' })),
  ],
  ['authorize: signed out (login hook)', 'opaque', ({ opaque }) => get(authorizeQuery(opaque))],
  [
    'authorize: prompt=none signed out (login_required)',
    'opaque',
    ({ opaque }) => get(authorizeQuery(opaque, { prompt: 'none' })),
  ],
  [
    'authorize: prompt=none without consent (consent_required)',
    'opaque',
    ({ opaque }) => get(authorizeQuery(opaque, { prompt: 'none' }), signedIn),
  ],
  ['authorize: %zz in the query', 'opaque', ({ opaque }) => get(`${authorizeQuery(opaque)}&x=%zz`)],
  ['authorize: %C3%28 in the query', 'opaque', ({ opaque }) => get(`${authorizeQuery(opaque)}&x=%C3%28`)],
  [
    'authorize: raw bytes C3 28 in the query',
    'opaque',
    ({ opaque }) => get(`${authorizeQuery(opaque)}&x=\xC3\x28`),
  ],
  ['authorize: POST', 'opaque', () => formPost('/oauth/authorize', '')],
  ['approve: GET', 'opaque', () => get('/oauth/authorize/approve')],
  ['approve: no ticket', 'opaque', () => formPost('/oauth/authorize/approve', 'remember=on', signedIn)],
  ['approve: signed out', 'opaque', () => formPost('/oauth/authorize/approve', 'ticket=x')],
  [
    'deny: forged ticket',
    'opaque',
    () => formPost('/oauth/authorize/deny', 'ticket=q%3Dx%26e%3D1%26k%3Dk1%26m%3Dy', signedIn),
  ],
  ['token: GET', 'opaque', () => get('/oauth/token')],
  ['token: OPTIONS', 'opaque', () => ({ method: 'OPTIONS', target: '/oauth/token' })],
  [
    'token: JSON body',
    'opaque',
    () => ({
      method: 'POST',
      target: '/oauth/token',
      headers: { 'content-type': 'application/json', 'content-length': '2' },
      body: '{}',
    }),
  ],
  [
    'token: multipart body',
    'opaque',
    () => {
      const body =
        '--b\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--b--\r\n'
      return {
        method: 'POST',
        target: '/oauth/token',
        headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': String(body.length) },
        body,
      }
    },
  ],
  [
    'token: no content type',
    'opaque',
    ({ opaque }) => {
      const body = serviceForm(opaque)
      return {
        method: 'POST',
        target: '/oauth/token',
        headers: { 'content-length': String(body.length) },
        body,
      }
    },
  ],
  [
    'token: duplicate parameter',
    'opaque',
    ({ opaque }) => formPost('/oauth/token', serviceForm(opaque, '&scope=x')),
  ],
  [
    'token: body over the limit (Content-Length)',
    'opaque',
    () => formPost('/oauth/token', 'x'.repeat(BODY_LIMIT_BYTES + 1)),
  ],
  [
    'token: body over the limit (chunked)',
    'opaque',
    () => {
      const half = 'x'.repeat(BODY_LIMIT_BYTES / 2 + 1)
      const chunk = `${half.length.toString(16)}\r\n${half}\r\n`
      return {
        method: 'POST',
        target: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
        body: [chunk, chunk, '0\r\n\r\n'],
      }
    },
  ],
  [
    'token: %zz in the body',
    'opaque',
    ({ opaque }) => formPost('/oauth/token', serviceForm(opaque, '&x=%zz')),
  ],
  [
    'token: %C3%28 in the body',
    'opaque',
    ({ opaque }) => formPost('/oauth/token', serviceForm(opaque, '&x=%C3%28')),
  ],
  [
    'token: raw invalid UTF-8 in the body',
    'opaque',
    ({ opaque }) =>
      formPost(
        '/oauth/token',
        Buffer.concat([Buffer.from(serviceForm(opaque, '&x=')), Buffer.from([0xc3, 0x28])]),
      ),
  ],
  [
    'token: invalid_client via Basic',
    'opaque',
    ({ opaque }) =>
      formPost('/oauth/token', 'grant_type=client_credentials', {
        authorization: basic(opaque.clients.service.id, 'f'.repeat(64)),
      }),
  ],
  [
    'token: invalid_client via post',
    'opaque',
    ({ opaque }) =>
      formPost(
        '/oauth/token',
        `grant_type=client_credentials&client_id=${opaque.clients.service.id}&client_secret=wrong`,
      ),
  ],
  [
    'token: client_secret in the query',
    'opaque',
    ({ opaque }) =>
      formPost(
        `/oauth/token?client_secret=${opaque.clients.service.secret}`,
        `grant_type=client_credentials&client_id=${opaque.clients.service.id}`,
      ),
  ],
  [
    'token: unsupported grant type',
    'opaque',
    ({ opaque }) =>
      formPost('/oauth/token', 'grant_type=password', {
        authorization: basic(opaque.clients.service.id, opaque.clients.service.secret!),
      }),
  ],
  [
    'token: client_credentials (success)',
    'opaque',
    ({ opaque }) => formPost('/oauth/token', serviceForm(opaque)),
  ],
  [
    'revoke: unknown token',
    'opaque',
    ({ opaque }) =>
      formPost('/oauth/revoke', 'token=spoat_unknown', {
        authorization: basic(opaque.clients.service.id, opaque.clients.service.secret!),
      }),
  ],
  [
    'introspect: unknown token',
    'opaque',
    ({ opaque }) =>
      formPost('/oauth/introspect', 'token=spoat_unknown', {
        authorization: basic(opaque.clients.service.id, opaque.clients.service.secret!),
      }),
  ],
  [
    'introspect: active token',
    'opaque',
    ({ opaque, readToken }) =>
      formPost('/oauth/introspect', `token=${readToken}`, {
        authorization: basic(opaque.clients.service.id, opaque.clients.service.secret!),
      }),
  ],
  ['resource: no token', 'opaque', () => get(TEST_ROUTES.invoices)],
  ['resource: unknown token', 'opaque', () => get(TEST_ROUTES.invoices, bearer('spoat_unknown'))],
  [
    'resource: malformed Authorization',
    'opaque',
    () => get(TEST_ROUTES.invoices, { authorization: 'Bearer a b' }),
  ],
  ['resource: success', 'opaque', ({ readToken }) => get(TEST_ROUTES.invoices, bearer(readToken))],
  [
    'resource: missing scope',
    'opaque',
    ({ reportsToken }) => get(TEST_ROUTES.invoices, bearer(reportsToken)),
  ],
  [
    'resource: requireAnyScope refused',
    'opaque',
    ({ reportsToken }) => get(TEST_ROUTES.anyScope, bearer(reportsToken)),
  ],
  [
    'resource: requireClient refused',
    'opaque',
    ({ userToken }) => get(TEST_ROUTES.trustedClient, bearer(userToken)),
  ],
  ['resource: no token, JWT server', 'jwt', () => get(TEST_ROUTES.invoices)],
  // Request targets that are not exactly a route: each adapter must route them as the core does.
  ['path: trailing slash', 'opaque', () => formPost('/oauth/token/', 'grant_type=x')],
  ['path: escaped letter', 'opaque', () => formPost('/oauth/%74oken', 'grant_type=x')],
  ['path: upper case', 'opaque', () => formPost('/OAUTH/token', 'grant_type=x')],
  ['path: double slash', 'opaque', () => formPost('//oauth/token', 'grant_type=x')],
  ['path: empty query', 'opaque', () => formPost('/oauth/token?', 'grant_type=x')],
  [
    'path: absolute-form target',
    'opaque',
    ({ opaque }) => formPost(`${opaque.origin}/oauth/token`, 'grant_type=x'),
  ],
  [
    'authorize: HEAD signed out',
    'opaque',
    ({ opaque }) => ({ method: 'HEAD', target: authorizeQuery(opaque) }),
  ],
]

/** Every server's fake clock starts here, so timestamps in bodies match across adapters. */
const CLOCK_START = new Date(Math.floor(Date.now() / 1000) * 1000)

async function fixtureOf(harness: AdapterHarness): Promise<Fixture> {
  const storage = memoryStorage()
  const [opaque, jwt] = await Promise.all([
    startEnvironment(harness, storage, 'opaque', { clockStart: CLOCK_START }),
    startEnvironment(harness, storage, 'jwt', { clockStart: CLOCK_START }),
  ])
  const as: oauth.AuthorizationServer = await discover(opaque)
  return {
    opaque,
    jwt,
    readToken: (await serviceToken(opaque, as, INVOICES_READ)).access_token,
    reportsToken: (await serviceToken(opaque, as, 'reports.read')).access_token,
    userToken: (await obtainTokens(opaque, as)).access_token,
  }
}

async function answers(fixture: Fixture): Promise<Map<string, ResponseSnapshot>> {
  const snapshots = new Map<string, ResponseSnapshot>()
  for (const [name, server, build] of CASES) {
    const env = fixture[server]
    snapshots.set(name, snapshotOf(await rawRequest(env.origin, build(fixture)), masker(env)))
  }
  return snapshots
}

describe('adapter parity: the same raw requests get the same answers from every adapter', () => {
  const fixtures = new Map<string, Fixture>()
  beforeAll(async () => {
    for (const harness of [REFERENCE, ...ADAPTERS]) fixtures.set(harness.name, await fixtureOf(harness))
  })
  afterAll(async () => {
    for (const fixture of fixtures.values()) await Promise.all([fixture.opaque.close(), fixture.jwt.close()])
  })

  it('the reference answers every case without a 5xx', async () => {
    const reference = await answers(fixtures.get(REFERENCE.name)!)
    for (const [name, snapshot] of reference) expect(snapshot.status, name).toBeLessThan(500)
  })

  for (const adapter of ADAPTERS) {
    it(`${adapter.name} answers like the reference (status, ${'content-type, cache-control, pragma, www-authenticate, location, allow'}, body)`, async () => {
      const reference = await answers(fixtures.get(REFERENCE.name)!)
      const actual = await answers(fixtures.get(adapter.name)!)
      const differences = CASES.map(([name]) => name).filter(
        (name) => JSON.stringify(actual.get(name)) !== JSON.stringify(reference.get(name)),
      )
      expect(
        Object.fromEntries(differences.map((name) => [name, actual.get(name)])),
        `answers of ${adapter.name} that differ from the reference`,
      ).toEqual(Object.fromEntries(differences.map((name) => [name, reference.get(name)])))
    })
  }

  if (ADAPTERS.length > 1) {
    it('express and koa answer alike', async () => {
      const [first, second] = ADAPTERS
      const a = await answers(fixtures.get(first!.name)!)
      const b = await answers(fixtures.get(second!.name)!)
      expect(Object.fromEntries(b)).toEqual(Object.fromEntries(a))
    })
  }
})
