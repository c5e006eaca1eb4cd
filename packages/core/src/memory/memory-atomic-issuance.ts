import type { OAuthEvent } from '../domain/events.js'
import type { AtomicIssuance, IssuedTokenRecords } from '../ports/atomic-issuance.js'
import { copyData } from './memory-repositories.js'
import type { StagedTables } from './memory-tables.js'

/** Runs `step` on staged tables in one critical section and commits what it staged; a step that throws leaves nothing. */
export type CriticalSection = <T>(step: (tables: StagedTables) => T) => Promise<T>

/**
 * `AtomicIssuance` in memory: each step is one synchronous critical section (no await inside), as
 * a single SQL statement is: the guard and every insert are staged, then committed together, so a
 * failing insert (a duplicate id or hash) leaves the code unconsumed or the token unrotated.
 */
export function memoryAtomicIssuance(
  critical: CriticalSection,
  outbox: ((events: readonly OAuthEvent[]) => void) | null,
): AtomicIssuance {
  // The inserts throw on a duplicate before anything else changes; the events go last, once
  // nothing can fail any more, in the same critical section as the change they report.
  const store = (tables: StagedTables, issued: IssuedTokenRecords): void => {
    tables.accessTokens.insert(Object.freeze(copyData(issued.accessToken)))
    if (issued.refreshToken) tables.refreshTokens.insert(Object.freeze(copyData(issued.refreshToken)))
  }
  const report = (issued: IssuedTokenRecords): true => {
    if (outbox && issued.events.length > 0) outbox(issued.events)
    return true
  }
  return {
    eventsGoToOutbox: outbox !== null,
    redeemCode: (redemption) =>
      critical((tables) => {
        const code = tables.codes.get(redemption.codeHash)
        if (!code || code.consumedAt) return false
        store(tables, redemption)
        tables.codes.put(Object.freeze({ ...code, consumedAt: new Date(redemption.now.getTime()) }))
        return report(redemption)
      }),
    rotateRefreshToken: (rotation) =>
      critical((tables) => {
        const token = tables.refreshTokens.findUnique('hash', rotation.tokenHash)
        if (!token || token.rotatedAt || token.revokedAt) return false
        store(tables, rotation)
        tables.refreshTokens.put(Object.freeze({ ...token, rotatedAt: new Date(rotation.now.getTime()) }))
        return report(rotation)
      }),
  }
}
