import { describe, expect, it } from 'vitest'
import type { Storage } from '../config/options.js'
import type { AccessTokenRecord } from '../domain/access-token.js'
import type { OAuthEvent } from '../domain/events.js'
import type { RefreshTokenRecord } from '../domain/refresh-token.js'
import type { AtomicIssuance, IssuanceResult, IssuedTokenRecords } from '../ports/atomic-issuance.js'
import { createUnitOfWorkIssuance } from '../use-cases/internal/unit-of-work-issuance.js'
import {
  awkwardClaims,
  awkwardUserId,
  farFuture,
  inParallel,
  minutesLater,
  storeClient,
  type Use,
} from './contract-support.js'
import {
  buildAccessTokenRecord,
  buildAuthorizationCodeRecord,
  buildRefreshTokenRecord,
  instantAfter,
  randomUuid,
} from './record-builders.js'
import { type StorageFactory, type StorageUnderTest, useStorageUnderTest } from './storage-factory.js'

const NOW = minutesLater(2)
const ISSUED = { status: 'issued' }
const ALREADY_USED = { status: 'already-used', eventsStored: false }
const CLIENT_REVOKED = { status: 'client-revoked', eventsStored: false }
const CONCURRENT_CALLERS = 50

/** What the storage holds of one issuance: the access token, the refresh token, their events. */
interface Issued extends IssuedTokenRecords {
  readonly accessToken: AccessTokenRecord
  readonly refreshToken: RefreshTokenRecord | null
}

/** A fresh access + refresh pair of `clientId` in family `familyId`, with the events reporting it. */
function buildIssued(
  clientId: string,
  familyId: string,
  options: { readonly parentId?: string | null; readonly withRefresh?: boolean } = {},
): Issued {
  const userId = awkwardUserId()
  const accessToken = buildAccessTokenRecord({
    clientId,
    userId,
    familyId,
    claims: awkwardClaims(),
    scopes: ['invoices.read', 'profile'],
    createdAt: NOW,
    expiresAt: farFuture(),
  })
  const refreshToken =
    options.withRefresh === false
      ? null
      : buildRefreshTokenRecord({
          clientId,
          userId,
          familyId,
          parentId: options.parentId ?? null,
          accessTokenId: accessToken.id,
          claims: accessToken.claims,
          scopes: accessToken.scopes,
          familyCreatedAt: instantAfter(0),
          createdAt: NOW,
          expiresAt: farFuture(),
        })
  const events: OAuthEvent[] = [
    {
      id: randomUuid(),
      occurredAt: NOW,
      type: 'OAuthTokenIssued',
      clientId,
      userId,
      grantType: 'authorization_code',
      scopes: accessToken.scopes,
      accessTokenId: accessToken.id,
      refreshTokenId: refreshToken?.id ?? null,
      familyId,
    },
  ]
  return { accessToken, refreshToken, events, now: NOW }
}

/** Whether the storage holds this issuance's tokens: both, or neither, is all a test accepts. */
async function storedTokens(
  storage: Storage,
  issued: Issued,
): Promise<{ access: boolean; refresh: boolean }> {
  const { repositories } = storage
  const access = await repositories.accessTokens.findById(issued.accessToken.id)
  const refresh = issued.refreshToken
    ? await repositories.refreshTokens.findByHash(issued.refreshToken.tokenHash)
    : null
  return { access: access !== null, refresh: refresh !== null }
}

/** The ids of `events` found in the storage's outbox. */
async function inOutbox(subject: StorageUnderTest, events: readonly OAuthEvent[]): Promise<string[]> {
  const outbox = subject.readOutbox ? await subject.readOutbox() : []
  const ids = new Set(events.map((event) => event.id))
  return outbox.filter((entry) => ids.has(entry.id)).map((entry) => entry.id)
}

const use =
  (storage: Storage): Use =>
  (call) =>
    call(storage.repositories)

/** A client with an unconsumed code, ready to redeem. */
async function storeCode(storage: Storage) {
  const client = await storeClient(use(storage))
  const code = buildAuthorizationCodeRecord({ clientId: client.id, expiresAt: farFuture() })
  await storage.repositories.authorizationCodes.insert(code)
  return { client, code }
}

/** A client with a refresh token (and its access token), ready to rotate. */
async function storeRefreshToken(storage: Storage, overrides: Partial<RefreshTokenRecord> = {}) {
  const client = await storeClient(use(storage))
  const familyId = randomUuid()
  const access = buildAccessTokenRecord({ clientId: client.id, familyId })
  const refresh = buildRefreshTokenRecord({
    clientId: client.id,
    familyId,
    accessTokenId: access.id,
    ...overrides,
  })
  await storage.repositories.accessTokens.insert(access)
  await storage.repositories.refreshTokens.insert(refresh)
  return { client, refresh }
}

/**
 * The contract of the issuance port, `AtomicIssuance`: each step is all or nothing, refuses a
 * revoked client, stores the records exactly, writes events to the outbox only when it says so,
 * and of concurrent steps for one code or refresh token exactly one wins. Part of
 * `storageContract`. It runs twice on every storage: against the storage's own `atomicIssuance`
 * (its tests pass with nothing to check when it has none), and against the core's implementation
 * over the storage's unit of work (`createUnitOfWorkIssuance`), which the core uses for a storage
 * without one.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 */
export function atomicIssuanceContract(factory: StorageFactory): void {
  describe("AtomicIssuance (the storage's own)", () => {
    issuanceTests(factory, (storage) => storage.atomicIssuance)
  })
  describe("AtomicIssuance (the core's, over the unit of work)", () => {
    issuanceTests(factory, (storage) => createUnitOfWorkIssuance(storage.unitOfWork))
  })
}

function issuanceTests(
  factory: StorageFactory,
  issuanceOf: (storage: Storage) => AtomicIssuance | undefined,
): void {
  {
    const subject = useStorageUnderTest(factory)

    const test = (
      name: string,
      body: (storage: Storage, issuance: AtomicIssuance, current: StorageUnderTest) => Promise<void>,
    ): void => {
      it(name, async () => {
        const current = subject()
        const issuance = issuanceOf(current.storage)
        // The storage's own is optional: without it the core uses its own, tested beside.
        if (issuance === undefined) {
          expect(current.storage.atomicIssuance).toBeUndefined()
          return
        }
        await body(current.storage, issuance, current)
      })
    }

    test('redeemCode: consumes an unconsumed code and stores both tokens exactly as given', async (storage, issuance) => {
      const { client, code } = await storeCode(storage)
      const issued = buildIssued(client.id, code.grantId)
      const won = await issuance.redeemCode({ codeHash: code.codeHash, ...issued })
      expect(won).toMatchObject(ISSUED)
      expect(await storage.repositories.authorizationCodes.findByHash(code.codeHash)).toEqual({
        ...code,
        consumedAt: NOW,
      })
      expect(await storage.repositories.accessTokens.findById(issued.accessToken.id)).toEqual(
        issued.accessToken,
      )
      expect(await storage.repositories.refreshTokens.findByHash(issued.refreshToken!.tokenHash)).toEqual(
        issued.refreshToken,
      )
    })

    test('redeemCode: without a refresh token stores the access token only (a JWT one has no hash)', async (storage, issuance) => {
      const { client, code } = await storeCode(storage)
      const issued = buildIssued(client.id, code.grantId, { withRefresh: false })
      const jwt = { ...issued.accessToken, format: 'jwt' as const, tokenHash: null, hashKeyId: null }
      expect(
        await issuance.redeemCode({ ...issued, accessToken: jwt, codeHash: code.codeHash, now: NOW }),
      ).toMatchObject(ISSUED)
      expect(await storage.repositories.accessTokens.findById(jwt.id)).toEqual(jwt)
    })

    test('redeemCode: a consumed or unknown code gives false and stores nothing', async (storage, issuance) => {
      const { client, code } = await storeCode(storage)
      await storage.repositories.authorizationCodes.consume(code.codeHash, minutesLater(1))
      const again = buildIssued(client.id, code.grantId)
      expect(await issuance.redeemCode({ codeHash: code.codeHash, ...again })).toMatchObject(ALREADY_USED)
      const unknown = buildIssued(client.id, code.grantId)
      expect(await issuance.redeemCode({ codeHash: `x${code.codeHash.slice(1)}`, ...unknown })).toMatchObject(
        ALREADY_USED,
      )
      expect(await storedTokens(storage, again)).toEqual({ access: false, refresh: false })
      expect(await storedTokens(storage, unknown)).toEqual({ access: false, refresh: false })
      expect((await storage.repositories.authorizationCodes.findByHash(code.codeHash))?.consumedAt).toEqual(
        minutesLater(1),
      )
    })

    test('redeemCode: a write that fails part-way leaves the code unconsumed and no token stored', async (storage, issuance) => {
      const { client, code } = await storeCode(storage)
      const taken = buildIssued(client.id, code.grantId)
      await storage.repositories.accessTokens.insert(taken.accessToken)
      // The refresh token's hash is new, but the access token's id is taken: its insert must fail.
      const clash = buildIssued(client.id, code.grantId)
      const attempt = { ...clash, accessToken: { ...clash.accessToken, id: taken.accessToken.id } }
      await expect(issuance.redeemCode({ codeHash: code.codeHash, ...attempt })).rejects.toThrow()
      expect((await storage.repositories.authorizationCodes.findByHash(code.codeHash))?.consumedAt).toBeNull()
      expect(await storedTokens(storage, clash)).toEqual({ access: false, refresh: false })
    })

    test(`redeemCode: of ${CONCURRENT_CALLERS} concurrent redemptions of one code exactly one wins and only its tokens are stored`, async (storage, issuance) => {
      const { client, code } = await storeCode(storage)
      const attempts = Array.from({ length: CONCURRENT_CALLERS }, () => buildIssued(client.id, code.grantId))
      const results = await inParallel(CONCURRENT_CALLERS, (index) =>
        issuance.redeemCode({ codeHash: code.codeHash, ...attempts[index]! }),
      )
      expect(results.filter((result) => result.status === 'issued')).toHaveLength(1)
      const stored = await Promise.all(attempts.map((attempt) => storedTokens(storage, attempt)))
      const winner = results.findIndex((result) => result.status === 'issued')
      expect(stored[winner]).toEqual({ access: true, refresh: true })
      expect(stored.filter((tokens) => tokens.access || tokens.refresh)).toHaveLength(1)
    })

    test('rotateRefreshToken: marks the token rotated and stores the new pair exactly as given', async (storage, issuance) => {
      const { client, refresh } = await storeRefreshToken(storage)
      const issued = buildIssued(client.id, refresh.familyId, { parentId: refresh.id })
      const rotation = {
        tokenHash: refresh.tokenHash,
        ...issued,
        refreshToken: issued.refreshToken!,
      }
      expect(await issuance.rotateRefreshToken(rotation)).toMatchObject(ISSUED)
      expect(await storage.repositories.refreshTokens.findByHash(refresh.tokenHash)).toEqual({
        ...refresh,
        rotatedAt: NOW,
      })
      expect(await storage.repositories.accessTokens.findById(issued.accessToken.id)).toEqual(
        issued.accessToken,
      )
      expect(await storage.repositories.refreshTokens.findByHash(rotation.refreshToken.tokenHash)).toEqual(
        rotation.refreshToken,
      )
    })

    for (const state of ['rotated', 'revoked'] as const) {
      test(`rotateRefreshToken: a ${state} token gives false and stores nothing`, async (storage, issuance) => {
        const stamp = minutesLater(1)
        const { client, refresh } = await storeRefreshToken(
          storage,
          state === 'rotated' ? { rotatedAt: stamp } : { revokedAt: stamp },
        )
        const issued = buildIssued(client.id, refresh.familyId, { parentId: refresh.id })
        const rotation = {
          tokenHash: refresh.tokenHash,
          ...issued,
          refreshToken: issued.refreshToken!,
        }
        expect(await issuance.rotateRefreshToken(rotation)).toMatchObject(ALREADY_USED)
        expect(await storedTokens(storage, issued)).toEqual({ access: false, refresh: false })
        expect(await storage.repositories.refreshTokens.findByHash(refresh.tokenHash)).toEqual(refresh)
      })
    }

    test('rotateRefreshToken: a write that fails part-way leaves the token unrotated and nothing stored', async (storage, issuance) => {
      const { client, refresh } = await storeRefreshToken(storage)
      const issued = buildIssued(client.id, refresh.familyId, { parentId: refresh.id })
      // The new refresh token reuses the old one's hash: its insert must fail after the others.
      const clash = { ...issued.refreshToken!, tokenHash: refresh.tokenHash }
      const rotation = { tokenHash: refresh.tokenHash, ...issued, refreshToken: clash }
      await expect(issuance.rotateRefreshToken(rotation)).rejects.toThrow()
      expect(await storage.repositories.refreshTokens.findByHash(refresh.tokenHash)).toEqual(refresh)
      expect(await storage.repositories.accessTokens.findById(issued.accessToken.id)).toBeNull()
    })

    test(`rotateRefreshToken: of ${CONCURRENT_CALLERS} concurrent rotations of one token exactly one wins and only its pair is stored`, async (storage, issuance) => {
      const { client, refresh } = await storeRefreshToken(storage)
      const attempts = Array.from({ length: CONCURRENT_CALLERS }, () =>
        buildIssued(client.id, refresh.familyId, { parentId: refresh.id }),
      )
      const results = await inParallel(CONCURRENT_CALLERS, (index) => {
        const attempt = attempts[index]!
        return issuance.rotateRefreshToken({
          tokenHash: refresh.tokenHash,
          ...attempt,
          refreshToken: attempt.refreshToken!,
        })
      })
      expect(results.filter((result) => result.status === 'issued')).toHaveLength(1)
      const stored = await Promise.all(attempts.map((attempt) => storedTokens(storage, attempt)))
      expect(stored[results.findIndex((result) => result.status === 'issued')]).toEqual({
        access: true,
        refresh: true,
      })
      expect(stored.filter((tokens) => tokens.access || tokens.refresh)).toHaveLength(1)
    })

    test('events: in the outbox after a win that says eventsStored, never after a loss, never otherwise', async (storage, issuance, current) => {
      const { client, code } = await storeCode(storage)
      const winner = buildIssued(client.id, code.grantId)
      const loser = buildIssued(client.id, code.grantId)
      const won = await issuance.redeemCode({ codeHash: code.codeHash, ...winner })
      expect(won).toMatchObject(ISSUED)
      expect(await issuance.redeemCode({ codeHash: code.codeHash, ...loser })).toEqual(ALREADY_USED)
      if (!issuance.eventsGoToOutbox) expect(won.eventsStored).toBe(false)
      if (won.eventsStored) {
        expect(current.readOutbox, 'a storage whose issuance writes events must give readOutbox').toBeTypeOf(
          'function',
        )
      }
      const expected = won.eventsStored ? winner.events.map((event) => event.id) : []
      expect(await inOutbox(current, [...winner.events, ...loser.events])).toEqual(expected)
    })

    test('issueAccessToken: stores the access token exactly as given while the client is live', async (storage, issuance) => {
      const client = await storeClient(use(storage))
      const issued = buildIssued(client.id, randomUuid(), { withRefresh: false })
      const result = await issuance.issueAccessToken({ ...issued, refreshToken: null })
      expect(result).toMatchObject(ISSUED)
      expect(await storage.repositories.accessTokens.findById(issued.accessToken.id)).toEqual(
        issued.accessToken,
      )
    })

    test('every step refuses a revoked client: client-revoked, nothing stored, nothing spent', async (storage, issuance) => {
      const { client, code } = await storeCode(storage)
      const family = randomUuid()
      const access = buildAccessTokenRecord({ clientId: client.id, familyId: family })
      const refresh = buildRefreshTokenRecord({
        clientId: client.id,
        familyId: family,
        accessTokenId: access.id,
      })
      await storage.repositories.accessTokens.insert(access)
      await storage.repositories.refreshTokens.insert(refresh)
      await storage.repositories.clients.revoke(client.id, minutesLater(1))
      const plain = buildIssued(client.id, family, { withRefresh: false })
      expect(await issuance.issueAccessToken({ ...plain, refreshToken: null })).toEqual(CLIENT_REVOKED)
      const exchanged = buildIssued(client.id, code.grantId)
      expect(await issuance.redeemCode({ codeHash: code.codeHash, ...exchanged })).toEqual(CLIENT_REVOKED)
      const rotated = buildIssued(client.id, family, { parentId: refresh.id })
      expect(
        await issuance.rotateRefreshToken({
          tokenHash: refresh.tokenHash,
          ...rotated,
          refreshToken: rotated.refreshToken!,
        }),
      ).toEqual(CLIENT_REVOKED)
      for (const issued of [plain, exchanged, rotated]) {
        expect(await storedTokens(storage, issued)).toEqual({ access: false, refresh: false })
      }
      expect((await storage.repositories.authorizationCodes.findByHash(code.codeHash))?.consumedAt).toBeNull()
      expect((await storage.repositories.refreshTokens.findByHash(refresh.tokenHash))?.rotatedAt).toBeNull()
    })

    test(`no step started after the client's revocation resolved succeeds, of ${CONCURRENT_CALLERS} racing it`, async (storage, issuance) => {
      const client = await storeClient(use(storage))
      let revoked = false
      const late: Promise<IssuanceResult>[] = []
      const racing = inParallel(CONCURRENT_CALLERS, async (index) => {
        const issued = buildIssued(client.id, randomUuid(), { withRefresh: false })
        if (index === CONCURRENT_CALLERS / 2) {
          await storage.repositories.clients.revoke(client.id, NOW)
          revoked = true
        }
        const call = issuance.issueAccessToken({ ...issued, refreshToken: null })
        if (revoked) late.push(call)
        return call
      })
      const results = await racing
      for (const result of results) expect(['issued', 'client-revoked']).toContain(result.status)
      for (const result of await Promise.all(late)) expect(result).toEqual(CLIENT_REVOKED)
      const after = buildIssued(client.id, randomUuid(), { withRefresh: false })
      expect(await issuance.issueAccessToken({ ...after, refreshToken: null })).toEqual(CLIENT_REVOKED)
    })

    test('rotateRefreshToken with supersede: the token is marked rotated and revoked, its access token revoked, the new pair stored', async (storage, issuance) => {
      const { client, refresh } = await storeRefreshToken(storage)
      const issued = buildIssued(client.id, refresh.familyId, { parentId: refresh.id })
      const rotation = {
        tokenHash: refresh.tokenHash,
        ...issued,
        refreshToken: issued.refreshToken!,
        supersede: true,
      }
      expect(await issuance.rotateRefreshToken(rotation)).toMatchObject(ISSUED)
      expect(await storage.repositories.refreshTokens.findByHash(refresh.tokenHash)).toEqual({
        ...refresh,
        rotatedAt: NOW,
        revokedAt: NOW,
      })
      expect((await storage.repositories.accessTokens.findById(refresh.accessTokenId!))?.revokedAt).toEqual(
        NOW,
      )
      expect(await storedTokens(storage, issued)).toEqual({ access: true, refresh: true })
      const again = buildIssued(client.id, refresh.familyId, { parentId: refresh.id })
      expect(
        await issuance.rotateRefreshToken({ ...rotation, ...again, refreshToken: again.refreshToken! }),
      ).toEqual(ALREADY_USED)
    })
  }
}
