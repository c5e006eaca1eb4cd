// Pruning running alongside the requests. docs/deploying.md schedules it daily with retentions of
// days, which would delete nothing in a run of minutes; here it runs every few seconds with every
// retention at 0, so it deletes rows (used codes and tickets once expired, revoked tokens of dead
// families, delivered events) while requests read and write the same tables.
import { createErrorLog } from './error-log.mjs'

export const PRUNE_INTERVAL_MS = 5_000

/** @type {import('@sp-oauth/postgres').PruneExpiredOptions} */
const RETENTION_ZERO = {
  authorizationCodeRetentionDays: 0,
  accessTokenRetentionDays: 0,
  refreshTokenRetentionDays: 0,
  deliveredEventRetentionDays: 0,
  consentTicketRetentionDays: 0,
}

/** @param {import('@sp-oauth/postgres').PostgresStorage} storage */
export function startPruneJob(storage) {
  const errors = createErrorLog()
  const deleted = {
    authorizationCodes: 0,
    accessTokens: 0,
    refreshTokens: 0,
    eventOutbox: 0,
    consentTickets: 0,
  }
  let rounds = 0
  let stopped = false
  /** @type {Promise<void>} */
  let current = Promise.resolve()
  /** @type {NodeJS.Timeout | undefined} */
  let timer

  async function round() {
    try {
      const result = await storage.pruneExpired(RETENTION_ZERO)
      rounds++
      for (const key of /** @type {(keyof typeof deleted)[]} */ (Object.keys(deleted)))
        deleted[key] += result[key]
    } catch (error) {
      errors.add(error)
    }
  }
  function schedule() {
    timer = setTimeout(() => {
      current = round().then(() => {
        if (!stopped) schedule()
      })
    }, PRUNE_INTERVAL_MS)
  }
  schedule()

  return {
    /** Lets a round in progress finish, then runs one last round over what the run left. */
    async stop() {
      stopped = true
      clearTimeout(timer)
      await current
      await round()
      return { intervalMs: PRUNE_INTERVAL_MS, rounds, deleted, errors: errors.summary() }
    },
  }
}
