import type { Storage } from '../config/options.js'
import type { OAuthEvent } from '../domain/events.js'
import type { AtomicIssuance, IssuanceResult, IssuedTokenRecords } from '../ports/atomic-issuance.js'
import type { Telemetry } from '../ports/telemetry.js'
import type { Repositories, TransactionalRepositories, UnitOfWork } from '../ports/unit-of-work.js'
import type { CountEvents } from './count-events.js'
import { NO_ATTRIBUTES, STORAGE_SPAN_PREFIX } from './telemetry-names.js'
import { traceCall } from './trace-call.js'
import { traceMethods } from './trace-methods.js'
import { traceTransactionalRepositories } from './trace-transactional-repositories.js'

/**
 * The storage the use cases get when telemetry is on: every call in a `sp_oauth.storage.…` span,
 * and the events a change writes to the outbox (through a unit of work, or the storage's own
 * issuance) counted once that change is committed.
 */
export function instrumentStorage(storage: Storage, telemetry: Telemetry, countEvents: CountEvents): Storage {
  const { atomicIssuance, pendingMigrations } = storage
  return {
    repositories: traceRepositories(storage.repositories, telemetry),
    unitOfWork: traceUnitOfWork(storage.unitOfWork, telemetry, countEvents),
    ...(atomicIssuance
      ? { atomicIssuance: traceAtomicIssuance(atomicIssuance, telemetry, countEvents) }
      : {}),
    ...(pendingMigrations
      ? {
          pendingMigrations: () =>
            traceCall(telemetry, `${STORAGE_SPAN_PREFIX}.pendingMigrations`, NO_ATTRIBUTES, () =>
              pendingMigrations.call(storage),
            ),
        }
      : {}),
  }
}

function traceRepositories<R extends Repositories>(repositories: R, telemetry: Telemetry): R {
  const traced: Record<string, unknown> = {}
  for (const [name, repository] of Object.entries(repositories)) {
    traced[name] = traceMethods(repository as object, `${STORAGE_SPAN_PREFIX}.${name}`, telemetry)
  }
  return traced as R
}

function traceUnitOfWork(unitOfWork: UnitOfWork, telemetry: Telemetry, countEvents: CountEvents): UnitOfWork {
  return {
    run<T>(work: (repositories: TransactionalRepositories) => Promise<T>): Promise<T> {
      return traceCall(telemetry, `${STORAGE_SPAN_PREFIX}.unitOfWork.run`, NO_ATTRIBUTES, async () => {
        let appended: OAuthEvent[] = []
        const value = await unitOfWork.run((repositories) => {
          // A retried unit starts again: what the failed attempt appended was rolled back.
          appended = []
          return work(traceTransactionalRepositories(repositories, telemetry, appended))
        })
        countEvents(appended)
        return value
      })
    },
  }
}

function traceAtomicIssuance(
  issuance: AtomicIssuance,
  telemetry: Telemetry,
  countEvents: CountEvents,
): AtomicIssuance {
  const step =
    <I extends IssuedTokenRecords>(name: string, call: (records: I) => Promise<IssuanceResult>) =>
    (records: I): Promise<IssuanceResult> =>
      traceCall(telemetry, `${STORAGE_SPAN_PREFIX}.atomicIssuance.${name}`, NO_ATTRIBUTES, async () => {
        const result = await call(records)
        // Stored with the change: the core will not publish them, so they are counted here.
        if (result.status === 'issued' && result.eventsStored) countEvents(records.events)
        return result
      })
  return {
    eventsGoToOutbox: issuance.eventsGoToOutbox,
    issueAccessToken: step('issueAccessToken', (records) => issuance.issueAccessToken(records)),
    redeemCode: step('redeemCode', (records) => issuance.redeemCode(records)),
    rotateRefreshToken: step('rotateRefreshToken', (records) => issuance.rotateRefreshToken(records)),
  }
}
