import type { OAuthEvent } from '../domain/events.js'
import {
  type AtomicIssuance,
  ISSUANCE_RESULTS,
  type IssuanceResult,
  type IssuedTokenRecords,
} from '../ports/atomic-issuance.js'
import { copyData } from './memory-repositories.js'
import type { StagedTables } from './memory-tables.js'

/** Runs `step` on staged tables in one critical section and commits what it staged; a step that throws leaves nothing. */
export type CriticalSection = <T>(step: (tables: StagedTables) => T) => Promise<T>

/**
 * `AtomicIssuance` in memory: each step is one synchronous critical section (no await inside), as
 * a single SQL statement is: the client check, the claim and every insert are staged, then
 * committed together, so a failing insert (a duplicate id or hash) leaves the code unconsumed or
 * the token unrotated; and a client revocation (a write of its own) is wholly before or after.
 */
export function memoryAtomicIssuance(
  critical: CriticalSection,
  outbox: ((events: readonly OAuthEvent[]) => void) | null,
): AtomicIssuance {
  /**
   * Checks the client, runs `claim` (false: the credential was spent), then stores the tokens. The
   * inserts throw on a duplicate before anything else changes; the events go last, once nothing
   * can fail any more, in the same critical section as the change they report.
   */
  const issue = (
    issued: IssuedTokenRecords,
    claim: (tables: StagedTables) => boolean,
  ): Promise<IssuanceResult> =>
    critical((tables) => {
      const client = tables.clients.get(issued.accessToken.clientId)
      if (!client || client.revokedAt) return ISSUANCE_RESULTS.clientRevoked
      if (!claim(tables)) return ISSUANCE_RESULTS.alreadyUsed
      tables.accessTokens.insert(Object.freeze(copyData(issued.accessToken)))
      if (issued.refreshToken) tables.refreshTokens.insert(Object.freeze(copyData(issued.refreshToken)))
      if (!outbox) return ISSUANCE_RESULTS.issued
      if (issued.events.length > 0) outbox(issued.events)
      return ISSUANCE_RESULTS.issuedWithEvents
    })
  return {
    eventsGoToOutbox: outbox !== null,
    issueAccessToken: (issuance) => issue(issuance, () => true),
    redeemCode: (redemption) =>
      issue(redemption, (tables) => {
        const code = tables.codes.get(redemption.codeHash)
        if (!code || code.consumedAt) return false
        tables.codes.put(Object.freeze({ ...code, consumedAt: new Date(redemption.now.getTime()) }))
        return true
      }),
    rotateRefreshToken: (rotation) =>
      issue(rotation, (tables) => {
        const token = tables.refreshTokens.findUnique('hash', rotation.tokenHash)
        if (!token || token.rotatedAt || token.revokedAt) return false
        const at = (): Date => new Date(rotation.now.getTime())
        tables.refreshTokens.put(
          Object.freeze({ ...token, rotatedAt: at(), revokedAt: rotation.supersede ? at() : null }),
        )
        const access =
          rotation.supersede && token.accessTokenId ? tables.accessTokens.get(token.accessTokenId) : null
        if (access && !access.revokedAt)
          tables.accessTokens.put(Object.freeze({ ...access, revokedAt: at() }))
        return true
      }),
  }
}
