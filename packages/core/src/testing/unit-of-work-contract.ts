import { describe, expect, it } from 'vitest'
import type { AccessTokenRecord } from '../domain/access-token.js'
import type { AuthorizationCodeRecord } from '../domain/authorization-code.js'
import type { ClientRecord } from '../domain/client.js'
import type { ConsentRecord } from '../domain/consent.js'
import type { OAuthEvent } from '../domain/events.js'
import type { RefreshTokenRecord } from '../domain/refresh-token.js'
import type { SigningKeyRecord } from '../domain/signing-key.js'
import type { Repositories, TransactionalRepositories } from '../ports/unit-of-work.js'
import { awkwardUserId, createGate, inParallel, minutesLater, nonNull } from './contract-support.js'
import {
  buildAccessTokenRecord,
  buildAuthorizationCodeRecord,
  buildClientRecord,
  buildConsentRecord,
  buildRefreshTokenRecord,
  buildSigningKeyRecord,
  instantAfter,
  randomHash,
  randomUuid,
} from './record-builders.js'
import { type StorageContractOptions, type StorageFactory, useStorageUnderTest } from './storage-factory.js'

/** One record of every kind, stored and committed before a unit of work changes them. */
interface World {
  readonly client: ClientRecord
  /** Unconsumed codes of `client`. */
  readonly codes: readonly [AuthorizationCodeRecord, AuthorizationCodeRecord]
  /** `accessTokens[0]` is in `refreshToken`'s family, `accessTokens[1]` in another. */
  readonly accessTokens: readonly [AccessTokenRecord, AccessTokenRecord]
  readonly refreshToken: RefreshTokenRecord
  /** Of `client`, in another family. */
  readonly strayRefreshToken: RefreshTokenRecord
  readonly consent: ConsentRecord
  readonly signingKey: SigningKeyRecord
}

async function storeWorld(repositories: Repositories): Promise<World> {
  const client = buildClientRecord()
  await repositories.clients.insert(client)
  const codes = [
    buildAuthorizationCodeRecord({ clientId: client.id }),
    buildAuthorizationCodeRecord({ clientId: client.id }),
  ] as const
  for (const code of codes) await repositories.authorizationCodes.insert(code)
  const familyId = codes[0].grantId
  const accessTokens = [
    buildAccessTokenRecord({ clientId: client.id, familyId }),
    buildAccessTokenRecord({ clientId: client.id }),
  ] as const
  for (const token of accessTokens) await repositories.accessTokens.insert(token)
  const refreshToken = buildRefreshTokenRecord({
    clientId: client.id,
    familyId,
    accessTokenId: accessTokens[0].id,
  })
  const strayRefreshToken = buildRefreshTokenRecord({ clientId: client.id })
  await repositories.refreshTokens.insert(refreshToken)
  await repositories.refreshTokens.insert(strayRefreshToken)
  const consent = buildConsentRecord({ clientId: client.id })
  await repositories.consents.upsert(consent)
  const signingKey = buildSigningKeyRecord()
  await repositories.signingKeys.insert(signingKey)
  return { client, codes, accessTokens, refreshToken, strayRefreshToken, consent, signingKey }
}

/** What {@link writeEverything} adds. */
interface Additions {
  readonly client: ClientRecord
  readonly code: AuthorizationCodeRecord
  readonly accessToken: AccessTokenRecord
  readonly refreshToken: RefreshTokenRecord
  readonly consent: ConsentRecord
  readonly signingKey: SigningKeyRecord
}

/** Calls every write method of every repository once, checking each did something. */
async function writeEverything(tx: TransactionalRepositories, world: World, now: Date): Promise<Additions> {
  const client = buildClientRecord()
  await tx.clients.insert(client)
  const secret = { secretHash: randomHash(), secretHashKeyId: 'k9' }
  expect(await tx.clients.updateSecret(world.client.id, secret, now)).not.toBeNull()
  expect(await tx.clients.revoke(world.client.id, now)).not.toBeNull()

  const code = buildAuthorizationCodeRecord({ clientId: world.client.id })
  await tx.authorizationCodes.insert(code)
  expect(await tx.authorizationCodes.consume(world.codes[0].codeHash, now)).not.toBeNull()
  // The other stored code and the one just inserted.
  expect(await tx.authorizationCodes.deleteByClient(world.client.id)).toBe(2)

  const familyId = world.refreshToken.familyId
  const accessToken = buildAccessTokenRecord({ clientId: world.client.id, familyId })
  await tx.accessTokens.insert(accessToken)
  expect(await tx.accessTokens.revoke(world.accessTokens[0].id, now)).not.toBeNull()
  expect(await tx.accessTokens.revokeFamily(familyId, now)).toBe(1)
  expect(await tx.accessTokens.revokeByClient(world.client.id, now)).toBe(1)

  const refreshToken = buildRefreshTokenRecord({
    clientId: world.client.id,
    familyId,
    parentId: world.refreshToken.id,
    accessTokenId: accessToken.id,
  })
  await tx.refreshTokens.insert(refreshToken)
  expect(await tx.refreshTokens.markRotated(world.refreshToken.tokenHash, now)).not.toBeNull()
  expect(await tx.refreshTokens.revoke(refreshToken.id, now)).not.toBeNull()
  expect(await tx.refreshTokens.revokeFamily(familyId, now)).toBe(1)
  expect(await tx.refreshTokens.revokeByClient(world.client.id, now)).toBe(1)

  const consent = buildConsentRecord({ clientId: world.client.id })
  await tx.consents.upsert(consent)
  expect(await tx.consents.delete(world.consent.userId, world.consent.clientId)).toBe(true)
  await tx.consents.upsert({ ...consent, scopes: ['replaced'] })
  expect(await tx.consents.deleteByClient(world.client.id)).toBe(1)

  const signingKey = buildSigningKeyRecord({ state: 'previous' })
  await tx.signingKeys.insert(signingKey)
  expect(await tx.signingKeys.updateState(world.signingKey.kid, 'retired', now)).not.toBeNull()

  return { client, code, accessToken, refreshToken, consent, signingKey }
}

/** Checks that the world is as stored and none of the additions exist. */
async function expectNothingChanged(
  repositories: Repositories,
  world: World,
  added: Additions,
): Promise<void> {
  expect(await repositories.clients.findById(world.client.id)).toEqual(world.client)
  expect(await repositories.clients.findById(added.client.id)).toBeNull()
  for (const code of world.codes) {
    expect(await repositories.authorizationCodes.findByHash(code.codeHash)).toEqual(code)
  }
  expect(await repositories.authorizationCodes.findByHash(added.code.codeHash)).toBeNull()
  for (const token of world.accessTokens) {
    expect(await repositories.accessTokens.findById(token.id)).toEqual(token)
  }
  expect(await repositories.accessTokens.findById(added.accessToken.id)).toBeNull()
  expect(await repositories.refreshTokens.findByHash(world.refreshToken.tokenHash)).toEqual(
    world.refreshToken,
  )
  expect(await repositories.refreshTokens.findByHash(world.strayRefreshToken.tokenHash)).toEqual(
    world.strayRefreshToken,
  )
  expect(await repositories.refreshTokens.findByHash(added.refreshToken.tokenHash)).toBeNull()
  expect(await repositories.refreshTokens.findByParentId(world.refreshToken.id)).toBeNull()
  expect(await repositories.consents.find(world.consent.userId, world.consent.clientId)).toEqual(
    world.consent,
  )
  expect(await repositories.consents.find(added.consent.userId, added.consent.clientId)).toBeNull()
  expect(await repositories.signingKeys.findByKid(world.signingKey.kid)).toEqual(world.signingKey)
  expect(await repositories.signingKeys.findByKid(added.signingKey.kid)).toBeNull()
}

/** Checks that every change {@link writeEverything} made is there. */
async function expectEverythingWritten(
  repositories: Repositories,
  world: World,
  added: Additions,
  now: Date,
): Promise<void> {
  expect(await repositories.clients.findById(added.client.id)).toEqual(added.client)
  expect(await repositories.clients.findById(world.client.id)).toMatchObject({
    secretHashKeyId: 'k9',
    revokedAt: now,
  })
  expect(await repositories.authorizationCodes.findByHash(world.codes[0].codeHash)).toEqual({
    ...world.codes[0],
    consumedAt: now,
  })
  expect(await repositories.authorizationCodes.findByHash(world.codes[1].codeHash)).toBeNull()
  expect(await repositories.authorizationCodes.findByHash(added.code.codeHash)).toBeNull()
  for (const token of [...world.accessTokens, added.accessToken]) {
    expect(await repositories.accessTokens.findById(token.id)).toEqual({ ...token, revokedAt: now })
  }
  expect(await repositories.refreshTokens.findByHash(world.refreshToken.tokenHash)).toEqual({
    ...world.refreshToken,
    rotatedAt: now,
    revokedAt: now,
  })
  const revokedChild = { ...added.refreshToken, revokedAt: now }
  expect(await repositories.refreshTokens.findByHash(added.refreshToken.tokenHash)).toEqual(revokedChild)
  expect(await repositories.refreshTokens.findByParentId(world.refreshToken.id)).toEqual(revokedChild)
  expect(await repositories.refreshTokens.findByHash(world.strayRefreshToken.tokenHash)).toEqual({
    ...world.strayRefreshToken,
    revokedAt: now,
  })
  expect(await repositories.consents.find(world.consent.userId, world.consent.clientId)).toBeNull()
  expect(await repositories.consents.find(added.consent.userId, added.consent.clientId)).toBeNull()
  expect(await repositories.signingKeys.findByKid(added.signingKey.kid)).toEqual(added.signingKey)
  expect(await repositories.signingKeys.findByKid(world.signingKey.kid)).toEqual({
    ...world.signingKey,
    state: 'retired',
    updatedAt: now,
  })
}

function buildEvents(): readonly OAuthEvent[] {
  return [
    { type: 'OAuthClientRevoked', id: randomUuid(), occurredAt: minutesLater(1), clientId: randomUuid() },
    {
      type: 'OAuthTokenIssued',
      id: randomUuid(),
      occurredAt: minutesLater(1),
      clientId: randomUuid(),
      userId: awkwardUserId(),
      grantType: 'authorization_code',
      scopes: ['openid', 'profile'],
      accessTokenId: randomUuid(),
      refreshTokenId: null,
      familyId: randomUuid(),
    },
  ]
}

/** The entries of `outbox` that are among `events`, as `type id` strings, in outbox order. */
function ofThese(
  outbox: readonly { readonly id: string; readonly type: string }[],
  events: readonly OAuthEvent[],
): string[] {
  const ids = new Set(events.map((event) => event.id))
  return outbox.filter((entry) => ids.has(entry.id)).map((entry) => `${entry.type} ${entry.id}`)
}

/**
 * The contract of `UnitOfWork.run`: a resolved `work` commits every write and `run` resolves with
 * its value; a rejected `work` (or a write that fails inside it) leaves none of its writes, in any
 * repository, and `run` rejects with the same error; writes of an open unit are invisible outside it
 * until it commits; of 20 concurrent units consuming one code exactly one commits; the storage keeps
 * working after many rollbacks; and, when units hand out an `outbox`, appended events appear (in
 * `readOutbox`) only once their unit commits.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}. It
 *   must return `readOutbox` if units of work hand out an `outbox`.
 * @param options see {@link StorageContractOptions} (`singleConnection` for one-connection storages).
 */
export function unitOfWorkContract(factory: StorageFactory, options: StorageContractOptions = {}): void {
  const singleConnection = options.singleConnection ?? false

  describe('UnitOfWork', () => {
    const subject = useStorageUnderTest(factory)

    it('run: a resolved work commits (visible through storage.repositories), and run resolves with its value', async () => {
      const { storage } = subject()
      const client = buildClientRecord()
      const value = { answer: 42 }
      const result = await storage.unitOfWork.run(async (tx) => {
        await tx.clients.insert(client)
        return value
      })
      expect(result).toBe(value)
      expect(await storage.repositories.clients.findById(client.id)).toEqual(client)
    })

    it('run: a resolved work commits every write method of every repository', async () => {
      const { storage } = subject()
      const world = await storeWorld(storage.repositories)
      const now = minutesLater(3)
      const added = await storage.unitOfWork.run((tx) => writeEverything(tx, world, now))
      await expectEverythingWritten(storage.repositories, world, added, now)
    })

    it('run: a rejected work rolls back its writes across repositories (insert client, insert code, revoke token), and run rejects with the same error', async () => {
      const { storage } = subject()
      const client = buildClientRecord()
      await storage.repositories.clients.insert(client)
      const token = buildAccessTokenRecord({ clientId: client.id })
      await storage.repositories.accessTokens.insert(token)
      const newClient = buildClientRecord()
      const code = buildAuthorizationCodeRecord({ clientId: newClient.id })
      const failure = new Error('the work failed')
      const running = storage.unitOfWork.run(async (tx) => {
        await tx.clients.insert(newClient)
        await tx.authorizationCodes.insert(code)
        expect(await tx.accessTokens.revoke(token.id, minutesLater(3))).not.toBeNull()
        throw failure
      })
      await expect(running).rejects.toBe(failure)
      expect(await storage.repositories.clients.findById(newClient.id)).toBeNull()
      expect(await storage.repositories.authorizationCodes.findByHash(code.codeHash)).toBeNull()
      expect(await storage.repositories.accessTokens.findById(token.id)).toEqual(token)
    })

    it('run: a rejected work rolls back every write method of every repository', async () => {
      const { storage } = subject()
      const world = await storeWorld(storage.repositories)
      const failure = new Error('the work failed')
      let added: Additions | null = null
      const running = storage.unitOfWork.run(async (tx) => {
        added = await writeEverything(tx, world, minutesLater(3))
        await tx.outbox?.append(buildEvents())
        throw failure
      })
      await expect(running).rejects.toBe(failure)
      expect(added).not.toBeNull()
      await expectNothingChanged(storage.repositories, world, added!)
    })

    it('run: when a write fails inside the work, run rejects with that error and keeps none of the other writes', async () => {
      const { storage } = subject()
      const client = buildClientRecord()
      await storage.repositories.clients.insert(client)
      const code = buildAuthorizationCodeRecord({ clientId: client.id })
      await storage.repositories.authorizationCodes.insert(code)
      const newClient = buildClientRecord()
      let writeError: unknown = null
      const outcome = await storage.unitOfWork
        .run(async (tx) => {
          await tx.clients.insert(newClient)
          expect(await tx.authorizationCodes.consume(code.codeHash, minutesLater(3))).not.toBeNull()
          try {
            await tx.authorizationCodes.insert({ ...code, userId: 'someone else' })
          } catch (error) {
            writeError = error
            throw error
          }
        })
        .then(
          () => ({ rejected: false, reason: undefined as unknown }),
          (reason: unknown) => ({ rejected: true, reason }),
        )
      expect(writeError).not.toBeNull()
      expect(outcome).toEqual({ rejected: true, reason: writeError })
      expect(outcome.reason).toBe(writeError)
      expect(await storage.repositories.clients.findById(newClient.id)).toBeNull()
      expect(await storage.repositories.authorizationCodes.findByHash(code.codeHash)).toEqual(code)
    })

    it('run: writes of an open unit of work are not visible through storage.repositories until it commits', async () => {
      const { storage } = subject()
      const client = buildClientRecord()
      await storage.repositories.clients.insert(client)
      const code = buildAuthorizationCodeRecord({ clientId: client.id })
      await storage.repositories.authorizationCodes.insert(code)
      const consumed = { ...code, consumedAt: minutesLater(3) }
      const newClient = buildClientRecord()
      const outside = () =>
        Promise.all([
          storage.repositories.clients.findById(newClient.id),
          storage.repositories.authorizationCodes.findByHash(code.codeHash),
        ])
      const written = createGate()
      const release = createGate()
      const running = storage.unitOfWork.run(async (tx) => {
        await tx.clients.insert(newClient)
        expect(await tx.authorizationCodes.consume(code.codeHash, minutesLater(3))).not.toBeNull()
        written.open()
        await release.opened
        return 'committed'
      })
      try {
        await Promise.race([written.opened, running])
        // A one-connection storage answers only once the unit ends: then the read is awaited after
        // the release, and may see the state before or after the commit, never a part of it.
        const during = outside()
        if (!singleConnection) expect(await during).toEqual([null, code])
        release.open()
        expect(await running).toBe('committed')
        if (singleConnection)
          expect([
            [null, code],
            [newClient, consumed],
          ]).toContainEqual(await during)
      } finally {
        release.open()
      }
      expect(await outside()).toEqual([newClient, consumed])
    })

    it('run: a read started while a unit of work is open never sees the writes the unit then rolls back', async () => {
      const { storage } = subject()
      const client = buildClientRecord()
      await storage.repositories.clients.insert(client)
      const code = buildAuthorizationCodeRecord({ clientId: client.id })
      await storage.repositories.authorizationCodes.insert(code)
      const newClient = buildClientRecord()
      const failure = new Error('rolled back')
      const written = createGate()
      const release = createGate()
      const running = storage.unitOfWork.run(async (tx) => {
        await tx.clients.insert(newClient)
        expect(await tx.authorizationCodes.consume(code.codeHash, minutesLater(3))).not.toBeNull()
        written.open()
        await release.opened
        throw failure
      })
      try {
        await Promise.race([written.opened, running])
        // Not awaited before the release: a one-connection storage answers only once the unit ends.
        const during = Promise.all([
          storage.repositories.clients.findById(newClient.id),
          storage.repositories.authorizationCodes.findByHash(code.codeHash),
        ])
        release.open()
        await expect(running).rejects.toBe(failure)
        expect(await during).toEqual([null, code])
      } finally {
        release.open()
      }
    })

    it('run: of 20 concurrent units of work consuming the same code exactly one commits the consume (and what it issued)', async () => {
      const { storage } = subject()
      const client = buildClientRecord()
      await storage.repositories.clients.insert(client)
      const code = buildAuthorizationCodeRecord({ clientId: client.id })
      await storage.repositories.authorizationCodes.insert(code)
      const attempts = Array.from({ length: 20 }, (_, i) =>
        buildAccessTokenRecord({
          clientId: client.id,
          familyId: code.grantId,
          createdAt: instantAfter(60_000 + i),
        }),
      )
      const results = await inParallel(attempts.length, (i) =>
        storage.unitOfWork.run(async (tx) => {
          const token = attempts[i]!
          const consumed = await tx.authorizationCodes.consume(code.codeHash, token.createdAt)
          if (consumed === null) return null
          await tx.accessTokens.insert(token)
          return token
        }),
      )
      const winners = nonNull(results)
      expect(winners).toHaveLength(1)
      const winner = winners[0]!
      expect(await storage.repositories.authorizationCodes.findByHash(code.codeHash)).toEqual({
        ...code,
        consumedAt: winner.createdAt,
      })
      for (const token of attempts) {
        expect(await storage.repositories.accessTokens.findById(token.id)).toEqual(
          token === winner ? token : null,
        )
      }
    })

    it('run: 20 concurrent units of work writing different records all commit', async () => {
      const { storage } = subject()
      const clients = Array.from({ length: 20 }, () => buildClientRecord())
      const results = await inParallel(clients.length, (i) =>
        storage.unitOfWork.run(async (tx) => {
          const client = clients[i]!
          await tx.clients.insert(client)
          await tx.consents.upsert(buildConsentRecord({ clientId: client.id, userId: `user-${i}` }))
          return i
        }),
      )
      expect(results).toEqual(clients.map((_, i) => i))
      for (const [i, client] of clients.entries()) {
        expect(await storage.repositories.clients.findById(client.id)).toEqual(client)
        expect(await storage.repositories.consents.find(`user-${i}`, client.id)).not.toBeNull()
      }
    })

    it('run: the storage keeps working after 30 rolled-back units of work (nothing leaks)', async () => {
      const { storage } = subject()
      const doomed = Array.from({ length: 30 }, () => buildClientRecord())
      for (const client of doomed) {
        const failure = new Error(`rolled back ${client.id}`)
        await expect(
          storage.unitOfWork.run(async (tx) => {
            await tx.clients.insert(client)
            throw failure
          }),
        ).rejects.toBe(failure)
      }
      const survivor = buildClientRecord()
      await storage.unitOfWork.run((tx) => tx.clients.insert(survivor))
      expect(await storage.repositories.clients.findById(survivor.id)).toEqual(survivor)
      for (const client of doomed) expect(await storage.repositories.clients.findById(client.id)).toBeNull()
    })

    it('outbox: events appended in a unit of work appear, in order, only once it commits (without an outbox: none is handed out)', async () => {
      const { storage, readOutbox } = subject()
      const events = buildEvents()
      const expected = events.map((event) => `${event.type} ${event.id}`)
      const unit = { hasOutbox: false }
      const appended = createGate()
      const release = createGate()
      const running = storage.unitOfWork.run(async (tx) => {
        unit.hasOutbox = tx.outbox !== undefined
        await tx.outbox?.append(events)
        appended.open()
        await release.opened
        return tx.outbox
      })
      try {
        await Promise.race([appended.opened, running])
        if (!unit.hasOutbox) {
          release.open()
          expect(await running).toBeUndefined()
          return
        }
        expect(readOutbox, 'a storage whose units of work have an outbox must give readOutbox').toBeTypeOf(
          'function',
        )
        if (singleConnection) {
          // The read waits for the unit, so it may only be awaited once the unit is released.
          const during = readOutbox!()
          release.open()
          await running
          expect([[], expected]).toContainEqual(ofThese(await during, events))
        } else {
          expect(ofThese(await readOutbox!(), events)).toEqual([])
          release.open()
          await running
        }
        expect(ofThese(await readOutbox!(), events)).toEqual(expected)
      } finally {
        release.open()
      }
    })

    it('outbox: events appended in a rolled-back unit of work never appear (without an outbox: none is handed out)', async () => {
      const { storage, readOutbox } = subject()
      const events = buildEvents()
      const failure = new Error('rolled back')
      const unit = { hasOutbox: false }
      const running = storage.unitOfWork.run(async (tx) => {
        unit.hasOutbox = tx.outbox !== undefined
        await tx.outbox?.append(events)
        throw failure
      })
      await expect(running).rejects.toBe(failure)
      if (!unit.hasOutbox) {
        expect(unit).toEqual({ hasOutbox: false })
        return
      }
      expect(readOutbox, 'a storage whose units of work have an outbox must give readOutbox').toBeTypeOf(
        'function',
      )
      const committed = buildEvents()
      await storage.unitOfWork.run((tx) => tx.outbox!.append(committed))
      const outbox = await readOutbox!()
      expect(ofThese(outbox, events)).toEqual([])
      expect(ofThese(outbox, committed)).toHaveLength(committed.length)
    })
  })
}
