import { describe, expect, it } from 'vitest'
import type { AuthorizationServerOptions, Storage } from '../config/options.js'
import { webCrypto } from '../crypto/web-crypto.js'
import type { OAuthEvent } from '../domain/events.js'
import { s256Challenge } from '../domain/pkce.js'
import { type AuthorizationServer, createAuthorizationServer } from '../server/create-authorization-server.js'
import type { TokenResponse } from '../use-cases/internal/issue-tokens.js'
import { createFakeClock, type FakeClock } from './fake-clock.js'
import { type StorageFactory, type StorageUnderTest, useStorageUnderTest } from './storage-factory.js'

const ISSUER = 'https://auth.example.com'
const REDIRECT_URI = 'https://client.example.com/callback'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
/** The grace the reuse scenarios run with, as in the report that found the takeover. */
const GRACE_SECONDS = 30

interface Lifecycle {
  readonly server: AuthorizationServer
  readonly clock: FakeClock
  /** How many reuse detections were reported so far: published, or stored in the outbox. */
  reuseDetections(): Promise<number>
  readonly client: { readonly id: string; readonly secret: string }
  /**
   * The storage, when its own atomic issuance is in use: then the rows themselves must show every
   * token of a revoked client revoked (the bearer check's client cache is a second line, not the
   * only one). `null` on the unit-of-work path, which is only as serialised as the units are.
   */
  readonly atomicStorage: Storage | null
}

/** Which issuance the server uses: the storage's own, or the core's over the unit of work. */
type IssuancePath = 'the storage issuance' | "the core's unit-of-work issuance"

function storageFor(storage: Storage, path: IssuancePath): Storage {
  return path === 'the storage issuance'
    ? storage
    : { repositories: storage.repositories, unitOfWork: storage.unitOfWork }
}

async function lifecycle(
  current: StorageUnderTest,
  path: IssuancePath,
  options: Partial<AuthorizationServerOptions> = {},
): Promise<Lifecycle> {
  const { storage } = current
  const clock = createFakeClock()
  const events: OAuthEvent[] = []
  const server = createAuthorizationServer({
    issuer: ISSUER,
    storage: storageFor(storage, path),
    crypto: webCrypto({ keys: [{ id: 'k1', secret: 'test-hash-key-0123456789abcdef0123456789' }] }),
    clock,
    eventPublisher: {
      publish: async (batch) => {
        events.push(...batch)
      },
    },
    ...options,
  })
  const { client, plaintextSecret } = await server.createClient({
    name: 'Lifecycle Client',
    redirectUris: [REDIRECT_URI],
    allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  })
  const reuseDetections = async (): Promise<number> => {
    const stored = current.readOutbox ? await current.readOutbox() : []
    return [...events, ...stored].filter((event) => event.type === 'OAuthRefreshTokenReuseDetected').length
  }
  return {
    server,
    clock,
    reuseDetections,
    client: { id: client.id, secret: plaintextSecret ?? '' },
    atomicStorage: path === 'the storage issuance' && storage.atomicIssuance ? storage : null,
  }
}

async function obtainTokens({ server, client }: Lifecycle): Promise<TokenResponse> {
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    state: 'state-1',
    code_challenge: await s256Challenge(VERIFIER),
    code_challenge_method: 'S256',
  })
  const { code } = await server.approveAuthorizationRequest(request, 'user-1', { remember: false })
  return server.issueTokenFromRequest({
    body: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER,
      client_id: client.id,
      client_secret: client.secret,
    },
  })
}

function refresh({ server, client }: Lifecycle, refreshToken: string): Promise<TokenResponse> {
  return server.issueTokenFromRequest({
    body: {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.id,
      client_secret: client.secret,
    },
  })
}

function clientCredentials({ server, client }: Lifecycle): Promise<TokenResponse> {
  return server.issueTokenFromRequest({
    body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret },
  })
}

/** The OAuth error code a call fails with, or `ok`. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call
    return 'ok'
  } catch (error) {
    return (error as { code?: string }).code ?? String(error)
  }
}

/** Whether an access token still passes the bearer check. */
async function authenticates({ server }: Lifecycle, accessToken: string): Promise<boolean> {
  return (await outcome(server.authenticateBearer({ authorization: `Bearer ${accessToken}` }))) === 'ok'
}

/** Whether the token's own client would be told it is active. */
async function introspectsActive({ server, client }: Lifecycle, token: string): Promise<boolean> {
  return (await server.introspectToken({ token, callerClientId: client.id })).active
}

/**
 * Token lifecycle rules that only hold when the grants, the issuance port and the repositories
 * work together, checked through a real server on the storage, once with the storage's own
 * issuance and once with the core's over its unit of work:
 *
 * - once `revokeClient` resolves, no token the client holds or obtained while it ran works at the
 *   bearer check or introspection, and no request started afterwards gets a token;
 * - a refresh token superseded inside the reuse grace window cannot be used to take over its
 *   family: any use that conflicts with the other branch revokes the whole family.
 *
 * Part of `storageContract`.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 */
export function tokenLifecycleContract(factory: StorageFactory): void {
  describe('token lifecycle through the core', () => {
    const subject = useStorageUnderTest(factory)
    for (const path of ['the storage issuance', "the core's unit-of-work issuance"] as const) {
      describe(`with ${path}`, () => {
        it('revokeClient mid-traffic: afterwards no token the client holds or obtained works, and no request started after it gets one', async () => {
          await revocationUnderTraffic(await lifecycle(subject(), path))
        }, 120_000)

        it(`grace (${GRACE_SECONDS} s), legitimate client first: the thief's replay within grace gets a pair, and the legitimate client's next use revokes the whole family`, async () => {
          const life = await lifecycle(subject(), path, {
            refreshTokenReuseGraceSeconds: GRACE_SECONDS,
          })
          const first = await obtainTokens(life)
          const legit = await refresh(life, first.refresh_token!)
          life.clock.advanceSeconds(GRACE_SECONDS - 1)
          const thief = await refresh(life, first.refresh_token!)
          expect(await life.reuseDetections()).toBe(0)
          expect(await outcome(refresh(life, legit.refresh_token!))).toBe('invalid_grant')
          expect(await life.reuseDetections()).toBe(1)
          await expectFamilyDead(life, [first, legit, thief])
        })

        it(`grace (${GRACE_SECONDS} s), thief first: the legitimate retry supersedes the thief's pair, and the thief's next use revokes the whole family`, async () => {
          const life = await lifecycle(subject(), path, {
            refreshTokenReuseGraceSeconds: GRACE_SECONDS,
          })
          const first = await obtainTokens(life)
          const thief = await refresh(life, first.refresh_token!)
          life.clock.advanceSeconds(1)
          const legit = await refresh(life, first.refresh_token!)
          expect(await authenticates(life, thief.access_token)).toBe(false)
          expect(await life.reuseDetections()).toBe(0)
          expect(await outcome(refresh(life, thief.refresh_token!))).toBe('invalid_grant')
          expect(await life.reuseDetections()).toBe(1)
          await expectFamilyDead(life, [first, legit, thief])
        })

        it(`grace (${GRACE_SECONDS} s), a third use of the rotated token is a reuse, even within grace`, async () => {
          const life = await lifecycle(subject(), path, {
            refreshTokenReuseGraceSeconds: GRACE_SECONDS,
          })
          const first = await obtainTokens(life)
          const legit = await refresh(life, first.refresh_token!)
          const thief = await refresh(life, first.refresh_token!)
          expect(await outcome(refresh(life, first.refresh_token!))).toBe('invalid_grant')
          expect(await life.reuseDetections()).toBe(1)
          await expectFamilyDead(life, [first, legit, thief])
        })

        it(`grace (${GRACE_SECONDS} s), concurrent uses of one token: once every holder has used what it got, the family is dead and the reuse reported`, async () => {
          const life = await lifecycle(subject(), path, {
            refreshTokenReuseGraceSeconds: GRACE_SECONDS,
          })
          const first = await obtainTokens(life)
          const results = await Promise.allSettled(
            Array.from({ length: 6 }, () => refresh(life, first.refresh_token!)),
          )
          const holders = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
          expect(holders.length).toBeGreaterThanOrEqual(1)
          expect(holders.length).toBeLessThanOrEqual(2)
          // Each holder moves on with what it got; whichever conflicts kills the family.
          const moved = await Promise.allSettled(
            holders.map((holder) => refresh(life, holder.refresh_token!)),
          )
          const later = moved.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
          for (const holder of later) await outcome(refresh(life, holder.refresh_token!))
          expect(await life.reuseDetections()).toBeGreaterThanOrEqual(1)
          await expectFamilyDead(life, [first, ...holders, ...later])
        })

        it('the default grace lets a client retry a rotation whose answer it lost, once', async () => {
          const life = await lifecycle(subject(), path)
          const grace = life.server.config.refreshTokenReuseGraceSeconds
          expect(grace).toBeGreaterThan(0)
          const first = await obtainTokens(life)
          const lost = await refresh(life, first.refresh_token!)
          life.clock.advanceSeconds(grace)
          const retried = await refresh(life, first.refresh_token!)
          expect(await authenticates(life, lost.access_token)).toBe(false)
          expect(await authenticates(life, retried.access_token)).toBe(true)
          const next = await refresh(life, retried.refresh_token!)
          expect(await authenticates(life, next.access_token)).toBe(true)
        })
      })
    }

    describe('an imported client', () => {
      it('keeps its old id (any visible ASCII) and secret: both get tokens by code, refresh and client_credentials, and the tokens name it', async () => {
        const life = await lifecycle(subject(), 'the storage issuance')
        const id = `passport:"7"\\${crypto.randomUUID()}`
        const secret = 'Zk3bq9TQ0nqGQ4m1rYcXl2hVt8sWfD6uJp5aEoKi'
        await life.server.importClient({ ...IMPORTED, id, secret })
        const imported: Lifecycle = { ...life, client: { id, secret } }
        const tokens = await obtainTokens(imported)
        const refreshed = await refresh(imported, tokens.refresh_token!)
        const machine = await clientCredentials(imported)
        for (const { access_token } of [refreshed, machine]) {
          expect(
            (await life.server.authenticateBearer({ authorization: `Bearer ${access_token}` })).clientId,
          ).toBe(id)
        }
        expect(await outcome(clientCredentials({ ...imported, client: { id, secret: `${secret}!` } }))).toBe(
          'invalid_client',
        )
      })

      it('of concurrent imports of one id exactly one wins; the others are told the id is taken, and the winner is stored whole', async () => {
        const life = await lifecycle(subject(), 'the storage issuance')
        const id = `legacy-${crypto.randomUUID()}`
        const secrets = Array.from({ length: 6 }, (_, index) => `secret-of-import-${index}-0123456789`)
        const results = await Promise.allSettled(
          secrets.map((secret, index) =>
            life.server.importClient({ ...IMPORTED, id, secret, name: `Import ${index}` }),
          ),
        )
        const won = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []))
        expect(won).toHaveLength(1)
        for (const result of results) {
          if (result.status === 'rejected') {
            expect(result.reason).toMatchObject({
              code: 'invalid_request',
              description: 'id: a client with this id already exists',
            })
          }
        }
        const winner = won[0]!
        const stored = await subject().storage.repositories.clients.findById(id)
        expect(stored?.name).toBe(`Import ${winner}`)
        for (const [index, secret] of secrets.entries()) {
          expect(await outcome(clientCredentials({ ...life, client: { id, secret } }))).toBe(
            index === winner ? 'ok' : 'invalid_client',
          )
        }
      })
    })
  })
}

/** What an imported client is registered with, beside its id and secret. */
const IMPORTED = {
  name: 'Imported client',
  redirectUris: [REDIRECT_URI],
  allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
  allowedScopes: ['invoices.read'],
  confidential: true,
} as const

/** No refresh token of these responses refreshes, and none of their access tokens authenticates. */
async function expectFamilyDead(life: Lifecycle, responses: readonly TokenResponse[]): Promise<void> {
  for (const response of responses) {
    expect(await authenticates(life, response.access_token)).toBe(false)
    expect(await introspectsActive(life, response.refresh_token!)).toBe(false)
  }
  for (const response of responses) {
    expect(await outcome(refresh(life, response.refresh_token!))).toBe('invalid_grant')
  }
}

/** Requests each loop still sends once the revocation resolved. */
const REQUESTS_AFTER_REVOCATION = 3
/** Issued tokens after which the revocation starts. */
const ISSUED_BEFORE_REVOCATION = 16

/**
 * 4 client_credentials loops and 4 refresh loops (each rotating its own family) run while
 * `revokeClient` runs; each loop goes on until it sent a few requests after the revocation
 * resolved. Then every access and refresh token obtained must be dead.
 */
async function revocationUnderTraffic(life: Lifecycle): Promise<void> {
  const families = await Promise.all(Array.from({ length: 4 }, () => obtainTokens(life)))
  const accessTokens = families.map((family) => family.access_token)
  const refreshTokens = families.map((family) => family.refresh_token!)
  let startedAfterRevocation = 0
  let revoked = false
  let startRevocation: () => void = () => {}
  const revocationMayStart = new Promise<void>((resolve) => {
    startRevocation = resolve
  })
  const issued = (response: TokenResponse, startedAfter: boolean): void => {
    accessTokens.push(response.access_token)
    if (response.refresh_token) refreshTokens.push(response.refresh_token)
    if (startedAfter) startedAfterRevocation++
    if (accessTokens.length >= ISSUED_BEFORE_REVOCATION) startRevocation()
  }
  const loop = async (request: () => Promise<TokenResponse>): Promise<void> => {
    let after = 0
    for (let sent = 0; sent < 500 && after < REQUESTS_AFTER_REVOCATION; sent++) {
      const startedAfter = revoked
      if (startedAfter) after++
      try {
        issued(await request(), startedAfter)
      } catch (error) {
        // Refused once the client is revoked: invalid_client, or invalid_grant for a revoked token.
        expect(['invalid_client', 'invalid_grant']).toContain((error as { code?: string }).code)
      }
    }
  }
  const revocation = revocationMayStart.then(async () => {
    expect(await life.server.revokeClient(life.client.id)).toBe(true)
    revoked = true
  })
  const loops = [
    ...Array.from({ length: 4 }, () => loop(() => clientCredentials(life))),
    ...families.map((family) => {
      let current = family.refresh_token!
      return loop(async () => {
        const response = await refresh(life, current)
        current = response.refresh_token!
        return response
      })
    }),
  ]
  // The revocation starts once enough tokens were issued; if the loops ended first, it starts now.
  await Promise.all(loops.map((running) => running.finally(() => startRevocation())))
  await revocation
  expect(startedAfterRevocation).toBe(0)
  // Counted by kind (a failure message never shows a token).
  const alive = { bearer: 0, accessIntrospection: 0, refreshIntrospection: 0 }
  for (const token of accessTokens) {
    if (await authenticates(life, token)) alive.bearer++
    if (await introspectsActive(life, token)) alive.accessIntrospection++
  }
  for (const token of refreshTokens) {
    if (await introspectsActive(life, token)) alive.refreshIntrospection++
  }
  expect(alive).toEqual({ bearer: 0, accessIntrospection: 0, refreshIntrospection: 0 })
  const storage = life.atomicStorage
  if (storage === null) return
  const hashOf = async (token: string) => (await life.server.context.hasher.hash(token)).hash
  const unrevokedRows = { accessTokens: 0, refreshTokens: 0 }
  for (const token of accessTokens) {
    const row = await storage.repositories.accessTokens.findByHash(await hashOf(token))
    if (row === null || row.revokedAt === null) unrevokedRows.accessTokens++
  }
  for (const token of refreshTokens) {
    const row = await storage.repositories.refreshTokens.findByHash(await hashOf(token))
    if (row === null || row.revokedAt === null) unrevokedRows.refreshTokens++
  }
  expect(unrevokedRows).toEqual({ accessTokens: 0, refreshTokens: 0 })
}
