// Drives the real core over a real storage for the guarantee tests (exactly-once under races,
// atomicity under injected faults, bad input): the flows and the table queries that check what
// was committed; the statement hook that counts and fails statements is StatementFaults, in
// intercepting-dialect.ts. @sp-oauth/postgres and @sp-oauth/mysql both run them.
import { createServer } from 'node:net'
import {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  createAuthorizationServer,
  OAuthError,
  type Storage,
  StorageUnavailableError,
} from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createFakeClock, type FakeClock } from '@sp-oauth/core/testing'
import { resolveTableNames, type SpOAuthDatabase, TableNamePlugin } from '@sp-oauth/sql'
import type { Kysely, RawBuilder } from 'kysely'
import { expect } from 'vitest'
import type { StatementFaults } from './intercepting-dialect.js'

export const ISSUER = 'https://auth.example.com'
export const REDIRECT_URI = 'https://client.example.com/callback'
const HASH_KEYS = { keys: [{ id: 'k1', secret: 'test-hash-key-0123456789abcdef0123456789' }] }

/** Parallel requests per round of a race. */
export const PARALLEL_REQUESTS = 50

/**
 * Rounds of each race: `SP_OAUTH_STRESS_ROUNDS`, default 100 (the issue's count) everywhere.
 */
export const STRESS_ROUNDS = Number(process.env.SP_OAUTH_STRESS_ROUNDS || 100)

/** One clock for every core instance of a test, so instances agree on time. */
export function sharedClock(): FakeClock {
  return createFakeClock(new Date('2026-01-01T00:00:00.000Z'))
}

/** A core on `storage`, hashing with `node:crypto`, on `clock`. */
export function coreOn(
  storage: Storage,
  clock: FakeClock,
  overrides: Partial<AuthorizationServerOptions> = {},
): AuthorizationServer {
  return createAuthorizationServer({
    issuer: ISSUER,
    storage,
    clock,
    crypto: nodeCrypto(HASH_KEYS),
    ...overrides,
  })
}

export interface GuaranteeClient {
  readonly id: string
  readonly secret: string
}

/** A server on `storage` (migrated) with a confidential client that may use client_credentials. */
export async function serverWithMachineClient(
  storage: Storage,
): Promise<{ readonly server: AuthorizationServer; readonly client: GuaranteeClient }> {
  const server = coreOn(storage, sharedClock())
  const { client, plaintextSecret } = await server.createClient({
    name: 'Machine client',
    redirectUris: [],
    allowedGrants: ['client_credentials'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  })
  return { server, client: { id: client.id, secret: plaintextSecret! } }
}

/** A client_credentials token request body for `client` (secret in the body). */
export function clientCredentialsBody(client: GuaranteeClient): Record<string, string> {
  return { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret }
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** A confidential client allowed codes and refresh tokens. */
export async function createGuaranteeClient(
  server: AuthorizationServer,
  name = 'Guarantee Client',
): Promise<GuaranteeClient> {
  const { client, plaintextSecret } = await server.createClient({
    name,
    redirectUris: [REDIRECT_URI],
    allowedGrants: ['authorization_code', 'refresh_token'],
    allowedScopes: ['invoices.read', 'invoices.write'],
    confidential: true,
  })
  if (plaintextSecret === null) throw new Error('a confidential client has a secret')
  return { id: client.id, secret: plaintextSecret }
}

/** The PKCE pair of RFC 7636 Appendix B: PKCE is required of every client by default. */
const CODE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CODE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

/** validate + approve for `userId`: a fresh authorization code, bound to an S256 challenge. */
export async function authorizeCode(
  server: AuthorizationServer,
  client: GuaranteeClient,
  options: { readonly userId?: string; readonly claims?: Readonly<Record<string, unknown>> } = {},
): Promise<string> {
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    state: 'state-1',
    code_challenge: CODE_CHALLENGE,
    code_challenge_method: 'S256',
  })
  const approval = await server.approveAuthorizationRequest(
    request,
    options.userId ?? 'user-1',
    options.claims ? { claims: options.claims } : {},
  )
  return approval.code
}

export function codeBody(client: GuaranteeClient, code: string): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    client_id: client.id,
    client_secret: client.secret,
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: CODE_VERIFIER,
  }
}

export function refreshBody(client: GuaranteeClient, refreshToken: string): Record<string, string> {
  return {
    grant_type: 'refresh_token',
    client_id: client.id,
    client_secret: client.secret,
    refresh_token: refreshToken,
  }
}

/** The tables of one storage, for checking what was committed. */
export function tablesOf(
  db: Kysely<unknown>,
  location: { readonly tablePrefix: string; readonly schema?: string },
): Kysely<SpOAuthDatabase> {
  return (db as Kysely<SpOAuthDatabase>).withPlugin(new TableNamePlugin(resolveTableNames(location)))
}

let consentRound = 0

/**
 * One round of the consent ticket race: a consent screen is shown to a fresh user, and
 * `PARALLEL_REQUESTS` approvals of its one ticket are posted at once, spread over `servers`.
 * Exactly one gets a redirect with a code, the rest a shown `invalid_request`, and exactly one
 * authorization code was stored for that user.
 */
export async function consentTicketRound(
  servers: readonly AuthorizationServer[],
  client: GuaranteeClient,
  tables: Kysely<SpOAuthDatabase>,
): Promise<void> {
  const signedIn = { user: `ticket-user-${++consentRound}-${crypto.randomUUID()}`, session: 's' }
  const step = await servers[0]!.beginAuthorization({
    parameters: {
      response_type: 'code',
      client_id: client.id,
      redirect_uri: REDIRECT_URI,
      scope: 'invoices.read',
      state: 'state-1',
      // RFC 7636 Appendix B.
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    },
    signedIn,
  })
  if (step.kind !== 'consent') throw new Error(`expected the consent step, got ${step.kind}`)
  const results = await Promise.allSettled(
    Array.from({ length: PARALLEL_REQUESTS }, (_, i) =>
      servers[i % servers.length]!.answerConsent({ ticket: step.ticket, answer: 'approve', signedIn }),
    ),
  )
  const answered = results.filter((result) => result.status === 'fulfilled')
  expect(answered).toHaveLength(1)
  for (const result of results) {
    if (result.status === 'rejected') {
      expect(result.reason).toBeInstanceOf(OAuthError)
      expect((result.reason as OAuthError).code).toBe('invalid_request')
    }
  }
  const codes = await tables
    .selectFrom('authorization_codes')
    .select('code_hash')
    .where('user_id', '=', signedIn.user)
    .execute()
  expect(codes).toHaveLength(1)
}

function expectInvalidGrant(reason: unknown): void {
  expect(reason).toBeInstanceOf(OAuthError)
  expect((reason as OAuthError).code).toBe('invalid_grant')
}

/**
 * One round of the code race: `PARALLEL_REQUESTS` token requests redeem one code, spread over
 * `servers`. Exactly one gets tokens, the rest `invalid_grant`, and the replays revoked the
 * winner's access token.
 */
export async function codeRedemptionRound(
  servers: readonly AuthorizationServer[],
  client: GuaranteeClient,
): Promise<void> {
  const first = servers[0]
  if (!first) throw new Error('no server')
  const body = codeBody(client, await authorizeCode(first, client))
  const results = await Promise.allSettled(
    Array.from({ length: PARALLEL_REQUESTS }, (_, index) =>
      (servers[index % servers.length] ?? first).issueTokenFromRequest({ body }),
    ),
  )
  const winners = results.filter((result) => result.status === 'fulfilled')
  expect(winners).toHaveLength(1)
  for (const result of results) if (result.status === 'rejected') expectInvalidGrant(result.reason)
  const winner = winners[0]
  if (!winner) return
  await expect(
    first.authenticateBearer({ authorization: `Bearer ${winner.value.access_token}` }),
  ).rejects.toMatchObject({ code: 'invalid_token' })
}

/**
 * One round of the refresh race: `PARALLEL_REQUESTS` refreshes of one refresh token, spread over
 * `servers`. At most one gets a new pair (two within the reuse grace period: the rotation and one
 * retry that supersedes it), the rest `invalid_grant`; afterwards the family holds at most one live
 * (neither rotated nor revoked) refresh token.
 */
export async function refreshRotationRound(
  servers: readonly AuthorizationServer[],
  client: GuaranteeClient,
  tables: Kysely<SpOAuthDatabase>,
): Promise<void> {
  const first = servers[0]
  if (!first) throw new Error('no server')
  const issued = await first.issueTokenFromRequest({
    body: codeBody(client, await authorizeCode(first, client)),
  })
  const principal = await first.authenticateBearer({ authorization: `Bearer ${issued.access_token}` })
  const { family_id: familyId } = await tables
    .selectFrom('access_tokens')
    .select('family_id')
    .where('id', '=', principal.tokenId)
    .executeTakeFirstOrThrow()
  if (familyId === null || issued.refresh_token === undefined) throw new Error('expected a refresh family')
  const body = refreshBody(client, issued.refresh_token)
  const results = await Promise.allSettled(
    Array.from({ length: PARALLEL_REQUESTS }, (_, index) =>
      (servers[index % servers.length] ?? first).issueTokenFromRequest({ body }),
    ),
  )
  const winners = results.filter((result) => result.status === 'fulfilled')
  // The rotation, and (within the reuse grace period) at most one retry, which supersedes it.
  expect(winners.length).toBeLessThanOrEqual(first.config.refreshTokenReuseGraceSeconds > 0 ? 2 : 1)
  for (const result of results) if (result.status === 'rejected') expectInvalidGrant(result.reason)
  const live = await tables
    .selectFrom('refresh_tokens')
    .select('id')
    .where('family_id', '=', familyId)
    .where('rotated_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute()
  expect(live.length).toBeLessThanOrEqual(1)
}

/** Rows of the token tables and consumed codes: what a code exchange or rotation changes. */
export async function committedState(tables: Kysely<SpOAuthDatabase>): Promise<{
  readonly accessTokens: number
  readonly refreshTokens: number
  readonly liveRefreshTokens: number
  readonly consumedCodes: number
}> {
  const count = async (query: Promise<{ n: unknown }>): Promise<number> => Number((await query).n)
  const countAll = tables.fn.countAll().as('n')
  return {
    accessTokens: await count(tables.selectFrom('access_tokens').select(countAll).executeTakeFirstOrThrow()),
    refreshTokens: await count(
      tables.selectFrom('refresh_tokens').select(countAll).executeTakeFirstOrThrow(),
    ),
    liveRefreshTokens: await count(
      tables
        .selectFrom('refresh_tokens')
        .select(countAll)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow(),
    ),
    consumedCodes: await count(
      tables
        .selectFrom('authorization_codes')
        .select(countAll)
        .where('consumed_at', 'is not', null)
        .executeTakeFirstOrThrow(),
    ),
  }
}

/** The response the core renders for a failure: `500 server_error` with the fixed description. */
export function expectServerError(server: AuthorizationServer, error: unknown): void {
  expect(error).not.toBeInstanceOf(OAuthError)
  expect(error).not.toBeInstanceOf(StorageUnavailableError)
  const response = server.renderError(error)
  expect(response.status).toBe(500)
  expect(response.body).toEqual({
    error: 'server_error',
    error_description: 'The server could not complete the request.',
  })
}

/**
 * The response the core renders for a lost database connection: a `StorageUnavailableError`
 * rendered `503 server_error` with `Retry-After` and a fixed description.
 */
export function expectStorageUnavailable(server: AuthorizationServer, error: unknown): void {
  expect(error).toBeInstanceOf(StorageUnavailableError)
  const response = server.renderError(error)
  expect(response.status).toBe(503)
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0)
  expect(response.body).toEqual({
    error: 'server_error',
    error_description: 'The server is temporarily unable to complete the request; try again later.',
  })
}

/**
 * Service recovers without a restart: `attempt` succeeds within `tries` calls. A connection the
 * database closed while it sat idle in the pool may still be handed out once before the pool has
 * read its end; each such failure must be a clean `StorageUnavailableError`.
 */
export async function expectRecovery<T>(
  server: AuthorizationServer,
  attempt: () => Promise<T>,
  tries = 5,
): Promise<T> {
  for (let left = tries; ; left--) {
    try {
      return await attempt()
    } catch (error) {
      expectStorageUnavailable(server, error)
      if (left <= 1) throw error
    }
  }
}

/**
 * Six loops of client_credentials requests; once a dozen have answered, `killConnections` cuts the
 * server's database connections from outside. Every failure must be a clean 503, and service
 * recovers (see {@link expectRecovery}) without a restart.
 */
export async function expectRequestsSurviveKilledConnections(
  server: AuthorizationServer,
  client: GuaranteeClient,
  killConnections: () => Promise<unknown>,
): Promise<void> {
  const outcomes: unknown[] = []
  let warmedUp: () => void = () => {}
  const warm = new Promise<void>((resolve) => {
    warmedUp = resolve
  })
  const request = () => server.issueTokenFromRequest({ body: clientCredentialsBody(client) })
  const loops = Array.from({ length: 6 }, async () => {
    for (let i = 0; i < 15; i++) {
      outcomes.push(
        await request().then(
          () => 'ok',
          (error: unknown) => error,
        ),
      )
      if (outcomes.length === 12) warmedUp()
    }
  })
  await warm
  await killConnections()
  await Promise.all(loops)
  for (const outcome of outcomes.filter((outcome) => outcome !== 'ok'))
    expectStorageUnavailable(server, outcome)
  expect(await expectRecovery(server, request)).toHaveProperty('access_token')
}

/**
 * Fails a code exchange at each of its statements in turn: each time the caller gets a clean
 * `server_error`, nothing was committed, and the same code then redeems normally. Returns the
 * statements of one exchange.
 */
export async function codeExchangeAtomicity(
  server: AuthorizationServer,
  client: GuaranteeClient,
  tables: Kysely<SpOAuthDatabase>,
  faults: StatementFaults,
): Promise<readonly string[]> {
  // Warm once first: the first exchange also loads what the core caches (the signing key).
  await server.issueTokenFromRequest({ body: codeBody(client, await authorizeCode(server, client)) })
  const body = codeBody(client, await authorizeCode(server, client))
  faults.arm(null)
  await server.issueTokenFromRequest({ body })
  const statements = [...faults.statements]
  expect(statements.length).toBeGreaterThan(0)
  for (let failAt = 1; failAt <= statements.length; failAt++) {
    faults.disarm()
    const body = codeBody(client, await authorizeCode(server, client))
    const before = await committedState(tables)
    faults.arm(failAt)
    const error = await server.issueTokenFromRequest({ body }).then(
      () => null,
      (reason: unknown) => reason,
    )
    faults.disarm()
    expect(error, `failure at statement ${failAt}: ${statements[failAt - 1]}`).not.toBeNull()
    expectServerError(server, error)
    expect(await committedState(tables)).toEqual(before)
    const redeemed = await server.issueTokenFromRequest({ body })
    expect(redeemed.refresh_token).toBeDefined()
  }
  return statements
}

/**
 * Fails a refresh rotation at each of its statements in turn: a clean `server_error`, nothing
 * committed, and the old refresh token then rotates normally. Returns the statements of one
 * rotation.
 */
export async function refreshRotationAtomicity(
  server: AuthorizationServer,
  client: GuaranteeClient,
  tables: Kysely<SpOAuthDatabase>,
  faults: StatementFaults,
): Promise<readonly string[]> {
  const fresh = async (): Promise<string> => {
    faults.disarm()
    const issued = await server.issueTokenFromRequest({
      body: codeBody(client, await authorizeCode(server, client)),
    })
    if (issued.refresh_token === undefined) throw new Error('expected a refresh token')
    return issued.refresh_token
  }
  await server.issueTokenFromRequest({ body: refreshBody(client, await fresh()) })
  const probe = await fresh()
  faults.arm(null)
  await server.issueTokenFromRequest({ body: refreshBody(client, probe) })
  const statements = [...faults.statements]
  expect(statements.length).toBeGreaterThan(0)
  for (let failAt = 1; failAt <= statements.length; failAt++) {
    const body = refreshBody(client, await fresh())
    const before = await committedState(tables)
    faults.arm(failAt)
    const error = await server.issueTokenFromRequest({ body }).then(
      () => null,
      (reason: unknown) => reason,
    )
    faults.disarm()
    expect(error, `failure at statement ${failAt}: ${statements[failAt - 1]}`).not.toBeNull()
    expectServerError(server, error)
    expect(await committedState(tables)).toEqual(before)
    const rotated = await server.issueTokenFromRequest({ body })
    expect(rotated.refresh_token).toBeDefined()
  }
  return statements
}

/**
 * The same storage without `atomicIssuance`, so the core writes code exchanges and rotations in a
 * unit of work: for testing that path on a storage that offers the one-step path.
 */
export function withoutAtomicIssuance(storage: Storage): Storage {
  return { repositories: storage.repositories, unitOfWork: storage.unitOfWork }
}

const TRANSACTION_CONTROL =
  /^\s*(begin|start transaction|set transaction|commit|rollback|savepoint|release)\b/i
const READ = /^\s*select\b/i

/**
 * The statements of one operation wrote in one step: no transaction control, and besides the
 * reads exactly one statement (a data-modifying `WITH`, or a procedure `CALL`).
 */
export function expectOneWritingStatement(statements: readonly string[]): void {
  expect(statements.filter((statement) => TRANSACTION_CONTROL.test(statement))).toEqual([])
  expect(statements.filter((statement) => !READ.test(statement))).toHaveLength(1)
}

/** Statements each operation sends, counted alone (BEGIN, COMMIT and the like included). */
export interface RoundTrips {
  readonly codeExchange: number
  readonly refresh: number
  readonly bearer: number
}

/**
 * Counts the statements of one code exchange, one refresh and one bearer check, after a first
 * exchange has loaded what the core caches. `faults` must see every statement of `server`'s
 * storage and nothing else must use that storage meanwhile.
 */
export async function roundTripsPerOperation(
  server: AuthorizationServer,
  client: GuaranteeClient,
  faults: StatementFaults,
): Promise<RoundTrips> {
  const counted = async <T>(operation: () => Promise<T>): Promise<{ result: T; statements: number }> => {
    faults.arm(null)
    const result = await operation()
    return { result, statements: faults.seen }
  }
  await server.issueTokenFromRequest({ body: codeBody(client, await authorizeCode(server, client)) })
  const body = codeBody(client, await authorizeCode(server, client))
  const exchange = await counted(() => server.issueTokenFromRequest({ body }))
  const refreshToken = exchange.result.refresh_token
  if (refreshToken === undefined) throw new Error('expected a refresh token')
  const refresh = await counted(() =>
    server.issueTokenFromRequest({ body: refreshBody(client, refreshToken) }),
  )
  const authorization = `Bearer ${refresh.result.access_token}`
  const bearer = await counted(() => server.authenticateBearer({ authorization }))
  faults.disarm()
  return { codeExchange: exchange.statements, refresh: refresh.statements, bearer: bearer.statements }
}

/** Awkward but valid user ids: each must come back from the bearer check exactly as given. */
export const AWKWARD_USER_IDS: readonly string[] = [
  'u'.repeat(255),
  `O'Brien"; DROP TABLE users; --`,
  `' OR '1'='1`,
  'back\\slash\\\\ and \\x00 and \\0',
  '%00%27%22 and %25',
  '日本語のユーザー 🙂👩‍👩‍👧 ñ é',
  '🙂'.repeat(127),
  '$1 ? :name @p1 #{x} {{x}} `tick`',
  '  leading and trailing spaces  ',
]

/** Claims with the same kinds of content, plus a large value. */
export const AWKWARD_CLAIMS: Readonly<Record<string, unknown>> = {
  tenant: `acme'; DELETE FROM sp_oauth_clients; --`,
  quotes: `"double" 'single' \`back\``,
  backslashes: '\\\\server\\share\\',
  unicode: 'Zürich 東京 🙂 \u{1F468}\u200D\u{1F4BB}',
  percent: '%00%',
  nul: 'before\u0000after',
  'key with "quotes", \u0000 and 🙂': 'value',
  nested: { list: [1, 'two', { three: [true, null, 3.5] }], empty: {} },
  large: 'x'.repeat(60_000),
  many: Array.from({ length: 500 }, (_, index) => ({ index, label: `item ${index} "quoted"` })),
}

/** Approve → token → bearer → refresh → bearer: the user id and claims come back exactly. */
export async function roundTripUser(
  server: AuthorizationServer,
  client: GuaranteeClient,
  userId: string,
  claims: Readonly<Record<string, unknown>>,
): Promise<void> {
  const issued = await server.issueTokenFromRequest({
    body: codeBody(client, await authorizeCode(server, client, { userId, claims })),
  })
  const principal = await server.authenticateBearer({ authorization: `Bearer ${issued.access_token}` })
  expect(principal.userId).toBe(userId)
  expect(principal.claims).toEqual(claims)
  if (issued.refresh_token === undefined) throw new Error('expected a refresh token')
  const refreshed = await server.issueTokenFromRequest({ body: refreshBody(client, issued.refresh_token) })
  const again = await server.authenticateBearer({ authorization: `Bearer ${refreshed.access_token}` })
  expect(again.userId).toBe(userId)
  expect(again.claims).toEqual(claims)
}

/**
 * `revokeUserTokens` racing refresh rotations and code exchanges of the same user: `families`
 * grants rotate `rotations` times each, concurrently, and once a few rotations are done the
 * revocation starts together with the exchange of `families` codes approved earlier. Once it
 * resolves, no token of the user may stay unrevoked and no code of the user unredeemed, whatever
 * was in flight: a child a rotation committed, or tokens an exchange committed, while the
 * revocation ran must not survive it; an exchange that came after must fail with `invalid_grant`.
 */
export async function userRevocationDuringRotations(
  server: AuthorizationServer,
  client: GuaranteeClient,
  tables: Kysely<SpOAuthDatabase>,
  options: { readonly families?: number; readonly rotations?: number } = {},
): Promise<void> {
  const families = options.families ?? 8
  const rotations = options.rotations ?? 8
  const userId = `race-user-${crypto.randomUUID()}`
  const issued = await Promise.all(
    Array.from({ length: families }, async () =>
      server.issueTokenFromRequest({
        body: codeBody(client, await authorizeCode(server, client, { userId })),
      }),
    ),
  )
  const pendingCodes = await Promise.all(
    Array.from({ length: families }, () => authorizeCode(server, client, { userId })),
  )
  let done = 0
  let startRevocation: () => void = () => {}
  const started = new Promise<void>((resolve) => {
    startRevocation = resolve
  })
  const loops = issued.map(async (tokens) => {
    let current = tokens.refresh_token!
    for (let i = 0; i < rotations; i++) {
      try {
        current = (await server.issueTokenFromRequest({ body: refreshBody(client, current) })).refresh_token!
      } catch (error) {
        // Revoked under it: the only way a rotation may fail here.
        expectInvalidGrant(error)
        return
      }
      if (++done === families) startRevocation()
    }
  })
  await started
  const exchanges = pendingCodes.map(async (code) => {
    try {
      await server.issueTokenFromRequest({ body: codeBody(client, code) })
    } catch (error) {
      // Deleted under it: the only way an exchange may fail here.
      expectInvalidGrant(error)
    }
  })
  await server.revokeUserTokens({ user: userId })
  await Promise.all([...loops, ...exchanges])
  const left = async (table: 'access_tokens' | 'refresh_tokens') =>
    (
      await tables
        .selectFrom(table)
        .select('id')
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute()
    ).length
  const unredeemed = await tables
    .selectFrom('authorization_codes')
    .select('code_hash')
    .where('user_id', '=', userId)
    .where('consumed_at', 'is', null)
    .execute()
  expect({
    accessTokens: await left('access_tokens'),
    refreshTokens: await left('refresh_tokens'),
    codes: unredeemed.length,
  }).toEqual({ accessTokens: 0, refreshTokens: 0, codes: 0 })
}

/** Long enough for a request sent on another connection to reach the lock it waits for. */
const SETTLE_MS = 300

/**
 * Holds up every insert into the access tokens (a trigger waiting for a lock the test holds) until
 * the returned function is called; resolves once the hold is in place.
 */
export type HoldAccessTokenInserts = () => Promise<() => Promise<void>>

/**
 * A {@link HoldAccessTokenInserts} that holds a lock on a connection of its own: `take` runs when
 * the hold starts, `give` when it is released, both on that connection.
 */
export function holdOnOwnConnection(
  db: Kysely<unknown>,
  take: RawBuilder<unknown>,
  give: RawBuilder<unknown>,
): HoldAccessTokenInserts {
  return async () => {
    let release: () => void = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    let held: () => void = () => {}
    const holding = new Promise<void>((resolve) => {
      held = resolve
    })
    const connection = db.connection().execute(async (own) => {
      await take.execute(own)
      held()
      await released
      await give.execute(own)
    })
    await holding
    return async () => {
      release()
      await connection
    }
  }
}

/**
 * The race the client check inside an issuance exists for, made certain instead of rare: a
 * client_credentials issuance checks the client, then its insert is held up while `revokeClient`
 * runs. Only if the check takes a lock that `revokeClient`'s update of the client row waits for
 * does the revocation come after the insert and revoke the token; with a plain read, the
 * revocation would finish first and the token, stored after it, would stay live. Afterwards no
 * token row of the client may be unrevoked. Needs a database with more than one connection.
 */
export async function clientRevocationWhileIssuanceHeldUp(
  storage: Storage,
  tables: Kysely<SpOAuthDatabase>,
  holdInserts: HoldAccessTokenInserts,
): Promise<void> {
  const { server, client } = await serverWithMachineClient(storage)
  await server.issueTokenFromRequest({ body: clientCredentialsBody(client) })
  const release = await holdInserts()
  const issuance = server.issueTokenFromRequest({ body: clientCredentialsBody(client) }).then(
    () => 'issued',
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  )
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  const revocation = server.revokeClient(client.id)
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  await release()
  expect(await revocation).toBe(true)
  expect(['issued', 'invalid_client']).toContain(await issuance)
  const unrevoked = await tables
    .selectFrom('access_tokens')
    .select('id')
    .where('client_id', '=', client.id)
    .where('revoked_at', 'is', null)
    .execute()
  expect(unrevoked).toHaveLength(0)
}
