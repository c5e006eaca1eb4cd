// Exactly-once under real races, through the real core, for every SQL backend: the code-redemption
// and refresh-rotation rounds of core-guarantees, on one core instance and (where the backend can
// open a second pool) on two instances sharing the tables.
import type { AuthorizationServer, Storage } from '@sp-oauth/core'
import type { SpOAuthDatabase } from '@sp-oauth/sql'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, it } from 'vitest'
import {
  codeRedemptionRound,
  consentTicketRound,
  coreOn,
  createGuaranteeClient,
  type GuaranteeClient,
  PARALLEL_REQUESTS,
  refreshRotationRound,
  STRESS_ROUNDS,
  sharedClock,
  tablesOf,
} from './core-guarantees.js'

const TIMEOUT = 180_000

/** Storages opened on one database, and what to end afterwards. */
export interface StressTables {
  /** One storage per core instance, all on the same tables; the first one is migrated. */
  readonly storages: readonly (Storage & { migrate(): Promise<void> })[]
  /** The first storage's Kysely instance and table location, for checking what was committed. */
  readonly db: Kysely<unknown>
  readonly location: { readonly tablePrefix: string; readonly schema?: string }
  close(): Promise<void>
}

export interface StressBackend {
  /** For the `describe` title, e.g. `PostgreSQL (pg Pool)`. */
  readonly name: string
  /** Whether `open` gives a second storage on a pool of its own: then the two-instance races run too. */
  readonly twoInstances: boolean
  open(): Promise<StressTables>
}

/**
 * The exactly-once suite: `STRESS_ROUNDS` rounds of `PARALLEL_REQUESTS` parallel redemptions of
 * one code (exactly one succeeds, the replays get `invalid_grant` and revoke what it issued) and
 * of parallel refreshes of one token (at most one live token per family), on one instance and,
 * with `twoInstances`, on two.
 */
export function exactlyOnceSuite(backend: StressBackend): void {
  describe(`on ${backend.name}: ${PARALLEL_REQUESTS} parallel requests, ${STRESS_ROUNDS} rounds`, () => {
    let opened: StressTables | undefined
    let servers: AuthorizationServer[] = []
    let client: GuaranteeClient
    let tables: Kysely<SpOAuthDatabase>

    beforeAll(async () => {
      opened = await backend.open()
      await opened.storages[0]!.migrate()
      const clock = sharedClock()
      servers = opened.storages.map((storage) => coreOn(storage, clock))
      client = await createGuaranteeClient(servers[0]!)
      tables = tablesOf(opened.db, opened.location)
    }, 60_000)

    afterAll(async () => {
      await opened?.close()
    })

    const rounds = (round: () => Promise<void>) => async () => {
      for (let n = 0; n < STRESS_ROUNDS; n++) await round()
    }

    it(
      'redeems an authorization code exactly once, the replays getting invalid_grant and revoking its tokens',
      rounds(() => codeRedemptionRound([servers[0]!], client)),
      TIMEOUT,
    )
    it(
      'rotates a refresh token at most once, leaving no two live refresh tokens in its family',
      rounds(() => refreshRotationRound([servers[0]!], client, tables)),
      TIMEOUT,
    )
    // Each round is a consent screen and its answers: fewer rounds cover the race as well.
    const ticketRounds = (round: () => Promise<void>) => async () => {
      for (let n = 0; n < Math.min(STRESS_ROUNDS, 20); n++) await round()
    }
    it(
      'answers a consent ticket exactly once: of parallel approvals of one ticket one gets a code',
      ticketRounds(() => consentTicketRound([servers[0]!], client, tables)),
      TIMEOUT,
    )
    if (backend.twoInstances) {
      it(
        'answers a consent ticket exactly once across two core instances on two pools',
        ticketRounds(() => consentTicketRound(servers, client, tables)),
        TIMEOUT,
      )
      it(
        'redeems an authorization code exactly once across two core instances on two pools',
        rounds(() => codeRedemptionRound(servers, client)),
        TIMEOUT,
      )
      it(
        'rotates a refresh token at most once across two core instances on two pools',
        rounds(() => refreshRotationRound(servers, client, tables)),
        TIMEOUT,
      )
    }
  })
}
