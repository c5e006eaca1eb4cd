// The rules of the SQL storages' `atomicIssuance` beyond the core's contract, checked by what the
// real database holds and how many statements a step sends, for every SQL backend: PostgreSQL's
// data-modifying WITH statement and MySQL's procedure calls must behave alike.
import type { IssuanceResult, Storage } from '@sp-oauth/core'
import { buildAccessTokenRecord } from '@sp-oauth/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CountedBackend,
  type CountedTables,
  type IssuingStorage,
  statementsOf,
} from './counted-storage.js'
import {
  ISSUED_AT,
  type Issued,
  type IssueOptions,
  issue,
  outboxRowsOf,
  storeClient,
  storeCode,
  storeRefreshToken,
  tokenRowsOf,
} from './issuance-fixtures.js'
import { deferred } from './sql-test-helpers.js'

/** Counted tables, and a way to make the database fail a step as it may under load. */
export interface IssuanceTables extends CountedTables {
  /**
   * Makes the next insert into these tables' access tokens fail, once, with the database's own
   * retryable error (a serialization failure, a deadlock): a trigger of the test's.
   */
  failNextAccessTokenInsert(): Promise<void>
}

/** A database the atomic issuance suite runs on. */
export interface IssuanceBackend extends CountedBackend<IssuanceTables> {
  /**
   * With more than one connection: how many statements on the tables of `tablePrefix` wait for a
   * lock now. Without it (one connection, as PGlite, where a transaction holding a row holds
   * everything) the lock test is left out.
   */
  readonly lockWaits?: (tablePrefix: string) => Promise<number>
}

const CLIENT_REVOKED = { status: 'client-revoked', eventsStored: false }
const EARLIER = new Date('2029-12-31T00:00:00.001Z')

/** One issuance step, set up on a fresh client so it can win. */
interface Step {
  readonly name: 'redeemCode' | 'rotateRefreshToken' | 'issueAccessToken'
  /** Stores what the step competes for; `run` calls the step, with `issued` unless given other records. */
  prepare(
    storage: IssuingStorage,
    options?: IssueOptions,
  ): Promise<{
    readonly clientId: string
    readonly issued: Issued
    run(issued?: Issued): Promise<IssuanceResult>
    /** When the code was consumed or the refresh token rotated; `null` while unspent, and always for none. */
    spentAt(): Promise<Date | null>
  }>
}

const STEPS: readonly Step[] = [
  {
    name: 'redeemCode',
    prepare: async (storage, options) => {
      const { client, code } = await storeCode(storage)
      const issued = issue(client.id, options)
      return {
        clientId: client.id,
        issued,
        run: (next = issued) => storage.atomicIssuance.redeemCode({ codeHash: code.codeHash, ...next }),
        spentAt: async () =>
          (await storage.repositories.authorizationCodes.findByHash(code.codeHash))?.consumedAt ?? null,
      }
    },
  },
  {
    name: 'rotateRefreshToken',
    prepare: async (storage, options) => {
      const { client, refresh } = await storeRefreshToken(storage)
      const issued = issue(client.id, { ...options, refreshToken: true })
      return {
        clientId: client.id,
        issued,
        run: (next = issued) =>
          storage.atomicIssuance.rotateRefreshToken({
            tokenHash: refresh.tokenHash,
            ...next,
            refreshToken: next.refreshToken!,
          }),
        spentAt: async () =>
          (await storage.repositories.refreshTokens.findByHash(refresh.tokenHash))?.rotatedAt ?? null,
      }
    },
  },
  {
    name: 'issueAccessToken',
    prepare: async (storage, options) => {
      const client = await storeClient(storage)
      const issued = issue(client.id, { ...options, refreshToken: false })
      return {
        clientId: client.id,
        issued,
        run: (next = issued) => storage.atomicIssuance.issueAccessToken({ ...next, refreshToken: null }),
        spentAt: async () => null,
      }
    },
  },
]

/** Whether `storage` holds `issued`'s tokens exactly as given. */
async function expectStored(storage: Storage, issued: Issued, label: string): Promise<void> {
  const { repositories } = storage
  expect(await repositories.accessTokens.findById(issued.accessToken.id), label).toEqual(issued.accessToken)
  if (issued.refreshToken !== null) {
    expect(await repositories.refreshTokens.findByHash(issued.refreshToken.tokenHash), label).toEqual(
      issued.refreshToken,
    )
  }
}

/**
 * The atomic issuance suite: one statement per step; a superseding rotation revokes only what it
 * rotated, and nothing when it loses; every column stored as given, by every call of a statement
 * compiled once; no refresh token or outbox row unless asked for; outbox rows in the events' order
 * as the outbox repository writes them, never for a step that did not issue; hashes compared
 * exactly; a step run again after a retryable failure commits once; and a step waits for an
 * uncommitted revocation of its client, then refuses.
 */
export function atomicIssuanceSuite(backend: IssuanceBackend): void {
  describe(`atomicIssuance on ${backend.name}`, () => {
    let opened: IssuanceTables | undefined
    const subject = (): IssuanceTables => {
      if (opened === undefined) throw new Error('the tables exist only while the suite runs')
      return opened
    }

    // The hook timeout is the packages' shared one: opening PGlite is slow on a loaded machine.
    beforeAll(async () => {
      opened = await backend.open()
    })

    afterAll(async () => {
      await opened?.close()
    })

    it('each step that issues is one statement, with or without a refresh token or events; so is a client_credentials issuance refused for a revoked client', async () => {
      const { faults } = subject()
      const expectOneStatement = async (label: string, call: () => Promise<IssuanceResult>) => {
        const { result, statements } = await statementsOf(faults, call)
        expect(statements, label).toHaveLength(1)
        return result
      }
      for (const outbox of [true, false]) {
        const storage = subject().storage({ outbox })
        for (const step of STEPS) {
          for (const shape of [{ events: 2 }, { events: 0, refreshToken: false }]) {
            const prepared = await step.prepare(storage, shape)
            const label = `${step.name} ${JSON.stringify({ outbox, ...shape })}`
            expect(await expectOneStatement(label, () => prepared.run()), label).toMatchObject({
              status: 'issued',
            })
          }
        }
        for (const events of [0, 2]) {
          const { clientId, run } = await STEPS[2]!.prepare(storage, { events })
          await storage.repositories.clients.revoke(clientId, EARLIER)
          expect(
            await expectOneStatement(`issueAccessToken for a revoked client, ${events} events`, () => run()),
          ).toEqual(CLIENT_REVOKED)
        }
      }
    })

    it('a superseding rotation revokes the access token of the token it rotated and no other; losing its claim, it revokes nothing', async () => {
      const storage = subject().storage({ outbox: false })
      const { repositories, atomicIssuance } = storage
      const supersede = (tokenHash: string, issued: Issued) =>
        atomicIssuance.rotateRefreshToken({
          tokenHash,
          ...issued,
          refreshToken: issued.refreshToken!,
          supersede: true,
        })
      const won = await storeRefreshToken(storage)
      const sibling = buildAccessTokenRecord({ clientId: won.client.id, familyId: won.refresh.familyId })
      await repositories.accessTokens.insert(sibling)
      const next = issue(won.client.id)
      expect(await supersede(won.refresh.tokenHash, next)).toMatchObject({ status: 'issued' })
      expect((await repositories.accessTokens.findById(won.access.id))?.revokedAt).toEqual(next.now)
      expect(await repositories.accessTokens.findById(sibling.id)).toEqual(sibling)
      await expectStored(storage, next, 'the new pair')

      const rotated = await storeRefreshToken(storage)
      await repositories.refreshTokens.markRotated(rotated.refresh.tokenHash, EARLIER)
      expect(await supersede(rotated.refresh.tokenHash, issue(rotated.client.id))).toMatchObject({
        status: 'already-used',
      })
      const ofRevokedClient = await storeRefreshToken(storage)
      await repositories.clients.revoke(ofRevokedClient.client.id, EARLIER)
      expect(await supersede(ofRevokedClient.refresh.tokenHash, issue(ofRevokedClient.client.id))).toEqual(
        CLIENT_REVOKED,
      )
      for (const lost of [rotated, ofRevokedClient]) {
        expect(await repositories.accessTokens.findById(lost.access.id)).toEqual(lost.access)
        expect((await repositories.refreshTokens.findByHash(lost.refresh.tokenHash))?.revokedAt).toBeNull()
      }
    })

    it('stores every column of the tokens as given, those a fresh token leaves empty too, on every path', async () => {
      const storage = subject().storage({ outbox: true })
      for (const step of STEPS) {
        for (const events of [1, 0]) {
          const { issued, run } = await step.prepare(storage, { everyColumn: true, events })
          const label = `${step.name}, ${events} events`
          expect(await run(issued), label).toMatchObject({ status: 'issued' })
          await expectStored(storage, issued, label)
        }
      }
    })

    it('a later call of the same shape stores its own values, not those of an earlier call; so does one after a call of another shape', async () => {
      const storage = subject().storage({ outbox: true })
      const shapes: readonly IssueOptions[] = [
        { events: 2, now: new Date('2030-02-01T00:00:00.001Z') },
        { events: 2, now: new Date('2030-02-02T00:00:00.002Z') },
        { events: 0, refreshToken: false, now: new Date('2030-02-03T00:00:00.003Z') },
        { events: 2, now: new Date('2030-02-04T00:00:00.004Z') },
      ]
      for (const step of STEPS) {
        for (const [index, shape] of shapes.entries()) {
          const { issued, run, spentAt } = await step.prepare(storage, shape)
          const label = `${step.name}, call ${index + 1}`
          expect(await run(issued), label).toMatchObject({ status: 'issued' })
          await expectStored(storage, issued, label)
          expect(
            (await outboxRowsOf(subject().tables, issued.events)).map((row) => row.event_id),
            label,
          ).toEqual(issued.events.map((event) => event.id))
          expect(await spentAt(), label).toEqual(step.name === 'issueAccessToken' ? null : shape.now)
        }
      }
    })

    it('writes no refresh token row without a refresh token, and without an outbox no outbox row, saying so', async () => {
      const { tables } = subject()
      for (const outbox of [false, true]) {
        const storage = subject().storage({ outbox })
        expect(storage.atomicIssuance.eventsGoToOutbox).toBe(outbox)
        for (const step of STEPS) {
          const label = `${step.name}, outbox ${outbox}`
          const { clientId, issued, run } = await step.prepare(storage, { events: 2 })
          expect(await run(issued), label).toEqual({ status: 'issued', eventsStored: outbox })
          expect((await outboxRowsOf(tables, issued.events)).length, label).toBe(outbox ? 2 : 0)
          if (step.name === 'issueAccessToken') {
            expect(await tokenRowsOf(tables, clientId), label).toEqual({ accessTokens: 1, refreshTokens: 0 })
          }
        }
        const lean = await STEPS[0]!.prepare(storage, { refreshToken: false })
        await lean.run(lean.issued)
        expect(await tokenRowsOf(tables, lean.clientId)).toEqual({ accessTokens: 1, refreshTokens: 0 })
      }
    })

    it('puts the events in the outbox in their order, column for column as the outbox repository writes them, on every step', async () => {
      const { tables } = subject()
      const storage = subject().storage({ outbox: true })
      for (const step of STEPS) {
        const { issued, run } = await step.prepare(storage, { events: 4 })
        expect(await run(issued), step.name).toEqual({ status: 'issued', eventsStored: true })
        const written = await outboxRowsOf(tables, issued.events)
        expect(
          written.map((row) => row.event_id),
          step.name,
        ).toEqual(issued.events.map((event) => event.id))
        await tables
          .deleteFrom('event_outbox')
          .where(
            'event_id',
            'in',
            issued.events.map((event) => event.id),
          )
          .execute()
        await storage.unitOfWork.run((repositories) => repositories.outbox!.append(issued.events))
        expect(written, step.name).toEqual(await outboxRowsOf(tables, issued.events))
      }
    })

    it('a step that does not issue stores none of its events: a spent code or refresh token, a revoked client', async () => {
      const { tables } = subject()
      const storage = subject().storage({ outbox: true })
      for (const step of STEPS) {
        const spent = await step.prepare(storage, { events: 2 })
        await spent.run()
        if (step.name !== 'issueAccessToken') {
          const again = issue(spent.clientId, { events: 2 })
          expect(await spent.run(again), step.name).toEqual({ status: 'already-used', eventsStored: false })
          expect(await outboxRowsOf(tables, again.events), step.name).toEqual([])
        }
        const refused = await step.prepare(storage, { events: 2 })
        await storage.repositories.clients.revoke(refused.clientId, EARLIER)
        const before = await tokenRowsOf(tables, refused.clientId)
        expect(await refused.run(), step.name).toEqual(CLIENT_REVOKED)
        expect(await outboxRowsOf(tables, refused.issued.events), step.name).toEqual([])
        expect(await tokenRowsOf(tables, refused.clientId), step.name).toEqual(before)
        expect(await refused.spentAt(), step.name).toBeNull()
      }
    })

    it('claims a code or refresh token only by its exact hash: not one differing in letter case, a trailing space or an accent; quotes, backslashes and SQL in a hash are characters like any', async () => {
      const storage = subject().storage({ outbox: false })
      const { atomicIssuance, repositories } = storage
      const hash = `aZé'; DROP TABLE clients; -- "\\ ${crypto.randomUUID()}`
      const lookalikes = [swapCase(hash), `${hash} `, hash.replace('é', 'e')]
      const code = await storeCode(storage, hash)
      for (const lookalike of lookalikes) {
        expect(
          await atomicIssuance.redeemCode({ codeHash: lookalike, ...issue(code.client.id) }),
          JSON.stringify(lookalike),
        ).toMatchObject({ status: 'already-used' })
      }
      expect((await repositories.authorizationCodes.findByHash(hash))?.consumedAt).toBeNull()
      expect(await atomicIssuance.redeemCode({ codeHash: hash, ...issue(code.client.id) })).toMatchObject({
        status: 'issued',
      })

      const token = await storeRefreshToken(storage, `r${hash}`)
      const rotate = (tokenHash: string) => {
        const next = issue(token.client.id)
        return atomicIssuance.rotateRefreshToken({ tokenHash, ...next, refreshToken: next.refreshToken! })
      }
      for (const lookalike of lookalikes) {
        expect(await rotate(`r${lookalike}`), JSON.stringify(lookalike)).toMatchObject({
          status: 'already-used',
        })
      }
      expect((await repositories.refreshTokens.findByHash(`r${hash}`))?.rotatedAt).toBeNull()
      expect(await rotate(`r${hash}`)).toMatchObject({ status: 'issued' })
    })

    it('runs a step again after a serialization failure or deadlock: the failed run changed nothing, the next commits once', async () => {
      const { faults, tables } = subject()
      const storage = subject().storage({ outbox: true })
      const { issued, run, spentAt } = await STEPS[0]!.prepare(storage, { events: 2 })
      await subject().failNextAccessTokenInsert()
      const { result, statements } = await statementsOf(faults, () => run(issued))
      expect(result).toEqual({ status: 'issued', eventsStored: true })
      // The run the database failed, and the one that committed.
      expect(statements).toHaveLength(2)
      expect(await spentAt()).toEqual(issued.now)
      await expectStored(storage, issued, 'after the retry')
      expect((await outboxRowsOf(tables, issued.events)).map((row) => row.event_id)).toEqual(
        issued.events.map((event) => event.id),
      )
    })

    const { lockWaits } = backend
    if (lockWaits !== undefined) {
      it('a step racing an uncommitted revocation of its client waits for it, then refuses: client-revoked, nothing stored or spent', async () => {
        const { tables, tablePrefix } = subject()
        const storage = subject().storage({ outbox: true })
        for (const step of STEPS) {
          const { clientId, issued, run, spentAt } = await step.prepare(storage, { events: 1 })
          const before = await tokenRowsOf(tables, clientId)
          const revoked = deferred()
          const commit = deferred()
          const revocation = tables.transaction().execute(async (trx) => {
            await trx
              .updateTable('clients')
              .set({ revoked_at: ISSUED_AT })
              .where('id', '=', clientId)
              .execute()
            revoked.resolve()
            await commit.promise
          })
          await revoked.promise
          let settled = false
          const outcome = run(issued).finally(() => {
            settled = true
          })
          // Commits once the step is seen waiting for the revocation's row lock; a step that
          // took no lock is done before, and finds the client live.
          while (!settled && (await lockWaits(tablePrefix)) === 0) await pause()
          commit.resolve()
          await revocation
          expect(await outcome, step.name).toEqual(CLIENT_REVOKED)
          expect(await tokenRowsOf(tables, clientId), step.name).toEqual(before)
          expect(await outboxRowsOf(tables, issued.events), step.name).toEqual([])
          expect(await spentAt(), step.name).toBeNull()
        }
      })
    }
  })
}

/** A short wait between two looks at the lock waits. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20))
}

/** `value` with the letter case of every letter swapped. */
function swapCase(value: string): string {
  return [...value]
    .map((char) => (char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase()))
    .join('')
}
