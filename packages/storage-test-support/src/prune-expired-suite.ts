import { ConfigurationError, type Storage } from '@sp-oauth/core'
import {
  buildAccessTokenRecord,
  buildAuthorizationCodeRecord,
  buildRefreshTokenRecord,
} from '@sp-oauth/core/testing'
import type { PruneExpiredOptions, PruneExpiredResult, SpOAuthDatabase } from '@sp-oauth/sql'
import type { Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'

/** A migrated storage with one client, and its tables (prefix applied) to look at rows directly. */
export interface MigratedStorage {
  readonly storage: Storage & {
    pruneExpired(options?: PruneExpiredOptions): Promise<PruneExpiredResult>
  }
  readonly tables: Kysely<SpOAuthDatabase>
  readonly clientId: string
}

/** The fake present of these tests. */
const NOW = new Date('2030-06-01T12:00:00.000Z')
const DAY_MS = 24 * 60 * 60 * 1000
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * DAY_MS)
/** A random stand-in for a nonce hash: 43 base64url characters. */
const randomHash = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')

/**
 * The `pruneExpired()` rules, run by each SQL storage package against its own database: what is
 * old goes, what is recent or still needed by a live refresh family stays, and batches loop.
 */
export function pruneExpiredSuite(migratedStorage: () => Promise<MigratedStorage>): void {
  async function idsOf(tables: Kysely<SpOAuthDatabase>) {
    const [codes, access, refresh, events, tickets] = await Promise.all([
      tables.selectFrom('authorization_codes').select('code_hash as id').execute(),
      tables.selectFrom('access_tokens').select('id').execute(),
      tables.selectFrom('refresh_tokens').select('id').execute(),
      tables.selectFrom('event_outbox').select('event_id as id').execute(),
      tables.selectFrom('consent_tickets').select('nonce_hash as id').execute(),
    ])
    const sorted = (rows: { id: string }[]) => rows.map((row) => row.id).sort()
    return {
      authorizationCodes: sorted(codes),
      accessTokens: sorted(access),
      refreshTokens: sorted(refresh),
      eventOutbox: sorted(events),
      consentTickets: sorted(tickets),
    }
  }

  describe('pruneExpired', () => {
    it('deletes codes and used consent tickets expired over a day ago, tokens expired or revoked over 30 / 60 days ago and events delivered over 7 days ago; keeps what is recent', async () => {
      const { storage, tables, clientId } = await migratedStorage()
      const { repositories: r } = storage
      const code = (days: number) => buildAuthorizationCodeRecord({ clientId, expiresAt: daysAgo(days) })
      const [oldCode, recentCode, liveCode] = [code(1.1), code(0.9), code(-1)]
      for (const c of [oldCode, recentCode, liveCode]) await r.authorizationCodes.insert(c)

      const access = (expires: number, revoked: number | null = null) =>
        buildAccessTokenRecord({
          clientId,
          familyId: null,
          expiresAt: daysAgo(expires),
          revokedAt: revoked === null ? null : daysAgo(revoked),
        })
      const [expiredAccess, revokedAccess, recentAccess, recentlyRevokedAccess] = [
        access(31),
        access(-1, 31),
        access(29),
        access(-1, 29),
      ]
      for (const t of [expiredAccess, revokedAccess, recentAccess, recentlyRevokedAccess]) {
        await r.accessTokens.insert(t)
      }

      const refresh = (expires: number, revoked: number | null = null) =>
        buildRefreshTokenRecord({
          clientId,
          expiresAt: daysAgo(expires),
          revokedAt: revoked === null ? null : daysAgo(revoked),
        })
      const [expiredRefresh, revokedRefresh, recentRefresh, recentlyRevokedRefresh] = [
        refresh(61),
        refresh(-1, 61),
        refresh(59),
        refresh(-1, 59),
      ]
      for (const t of [expiredRefresh, revokedRefresh, recentRefresh, recentlyRevokedRefresh]) {
        await r.refreshTokens.insert(t)
      }

      const event = (clientIdOf: string) => ({
        type: 'OAuthClientSecretRotated' as const,
        id: crypto.randomUUID(),
        occurredAt: daysAgo(10),
        clientId: clientIdOf,
      })
      const [oldEvent, recentEvent, undelivered] = [event(clientId), event(clientId), event(clientId)]
      await storage.unitOfWork.run((tx) => tx.outbox!.append([oldEvent, recentEvent, undelivered]))
      await tables
        .updateTable('event_outbox')
        .set({ delivered_at: daysAgo(8) })
        .where('event_id', '=', oldEvent.id)
        .execute()
      await tables
        .updateTable('event_outbox')
        .set({ delivered_at: daysAgo(6) })
        .where('event_id', '=', recentEvent.id)
        .execute()

      const ticket = (days: number) => ({ nonceHash: randomHash(), expiresAt: daysAgo(days) })
      const [oldTicket, recentTicket, liveTicket] = [ticket(1.1), ticket(0.9), ticket(-0.01)]
      for (const t of [oldTicket, recentTicket, liveTicket]) {
        expect(await r.consentTickets.consume(t, daysAgo(2))).toBe(true)
      }

      expect(await storage.pruneExpired({ now: NOW })).toEqual({
        authorizationCodes: 1,
        accessTokens: 2,
        refreshTokens: 2,
        eventOutbox: 1,
        consentTickets: 1,
      })
      expect(await idsOf(tables)).toEqual({
        authorizationCodes: [recentCode.codeHash, liveCode.codeHash].sort(),
        accessTokens: [recentAccess.id, recentlyRevokedAccess.id].sort(),
        refreshTokens: [recentRefresh.id, recentlyRevokedRefresh.id].sort(),
        eventOutbox: [recentEvent.id, undelivered.id].sort(),
        consentTickets: [recentTicket.nonceHash, liveTicket.nonceHash].sort(),
      })
      // A pruned ticket was expired: the core refuses it by its expiry before asking the storage.
      expect(await r.consentTickets.consume(recentTicket, NOW)).toBe(false)
      expect(await storage.pruneExpired({ now: NOW })).toEqual({
        authorizationCodes: 0,
        accessTokens: 0,
        refreshTokens: 0,
        eventOutbox: 0,
        consentTickets: 0,
      })
    })

    it('never deletes a token of a family that still has a live refresh token: the rotated ones stay for reuse detection', async () => {
      const { storage, tables, clientId } = await migratedStorage()
      const { repositories: r } = storage
      const familyId = crypto.randomUUID()
      // A long-lived family: its first tokens expired long ago, its newest refresh token is live.
      const rotated = buildRefreshTokenRecord({
        clientId,
        familyId,
        expiresAt: daysAgo(90),
        rotatedAt: daysAgo(91),
      })
      const live = buildRefreshTokenRecord({
        clientId,
        familyId,
        parentId: rotated.id,
        expiresAt: daysAgo(-5),
      })
      const oldAccess = buildAccessTokenRecord({ clientId, familyId, expiresAt: daysAgo(91) })
      // A dead family (its only refresh token expired long ago) goes, with its access token.
      const deadFamilyId = crypto.randomUUID()
      const dead = buildRefreshTokenRecord({ clientId, familyId: deadFamilyId, expiresAt: daysAgo(61) })
      const deadAccess = buildAccessTokenRecord({ clientId, familyId: deadFamilyId, expiresAt: daysAgo(61) })
      for (const t of [rotated, live, dead]) await r.refreshTokens.insert(t)
      for (const t of [oldAccess, deadAccess]) await r.accessTokens.insert(t)

      expect(await storage.pruneExpired({ now: NOW })).toMatchObject({ accessTokens: 1, refreshTokens: 1 })
      const left = await idsOf(tables)
      expect(left.refreshTokens).toEqual([rotated.id, live.id].sort())
      expect(left.accessTokens).toEqual([oldAccess.id])
      // Reuse detection still finds the rotated token by its hash.
      expect(await r.refreshTokens.findByHash(rotated.tokenHash)).toEqual(rotated)

      // Once the family's last token is revoked (reuse detected, say) and that is old, it all goes.
      await r.refreshTokens.revokeFamily(familyId, daysAgo(61))
      expect(await storage.pruneExpired({ now: NOW })).toMatchObject({ accessTokens: 1, refreshTokens: 2 })
      expect(await idsOf(tables)).toMatchObject({ accessTokens: [], refreshTokens: [] })
    })

    it('deletes in batches of batchSize until a batch deletes fewer, and takes its thresholds from the options', async () => {
      const { storage, tables, clientId } = await migratedStorage()
      for (let i = 0; i < 7; i++) {
        await storage.repositories.authorizationCodes.insert(
          buildAuthorizationCodeRecord({ clientId, expiresAt: daysAgo(3) }),
        )
      }
      expect(
        await storage.pruneExpired({ now: NOW, batchSize: 2, authorizationCodeRetentionDays: 5 }),
      ).toMatchObject({ authorizationCodes: 0 })
      expect(await storage.pruneExpired({ now: NOW, batchSize: 2 })).toMatchObject({ authorizationCodes: 7 })
      expect((await idsOf(tables)).authorizationCodes).toEqual([])
    })

    it('refuses a batch size that is not a positive integer and a negative retention, naming each', async () => {
      const { storage } = await migratedStorage()
      const attempt = storage.pruneExpired({ batchSize: 0, refreshTokenRetentionDays: -1 })
      await expect(attempt).rejects.toThrow(ConfigurationError)
      await expect(attempt).rejects.toThrow(/batchSize[\s\S]*refreshTokenRetentionDays/)
    })
  })
}
