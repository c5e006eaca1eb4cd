import {
  type AtomicIssuance,
  ISSUANCE_RESULTS,
  type IssuanceResult,
  type IssuedTokenRecords,
} from '../../ports/atomic-issuance.js'
import type { TransactionalRepositories, UnitOfWork } from '../../ports/unit-of-work.js'

/** Claims the credential an issuance spends; `false` when it was already spent. */
type Claim = (repositories: TransactionalRepositories) => Promise<boolean>

const NOTHING_TO_CLAIM: Claim = async () => true

/**
 * The core's {@link AtomicIssuance} over a unit of work, for a storage without one of its own: each
 * call is one `unitOfWork.run` that reads the client (refusing a revoked or unknown one), claims
 * the code or refresh token with the repositories' one-winner `consume` / `markRotated`, then
 * inserts the tokens and, when the unit hands out an outbox, the events. A lost claim or a
 * revoked client writes nothing. It is as serialised against `revokeClient` as the storage's units
 * of work are (fully on the memory storage); a token a weaker isolation lets through is still
 * refused at use, as a token of a revoked client (see `ClientRevocationCache`).
 */
export function createUnitOfWorkIssuance(unitOfWork: UnitOfWork): AtomicIssuance {
  const run = (issued: IssuedTokenRecords, claim: Claim): Promise<IssuanceResult> =>
    unitOfWork.run(async (repositories) => {
      const client = await repositories.clients.findById(issued.accessToken.clientId)
      if (client === null || client.revokedAt !== null) return ISSUANCE_RESULTS.clientRevoked
      if (!(await claim(repositories))) return ISSUANCE_RESULTS.alreadyUsed
      await repositories.accessTokens.insert(issued.accessToken)
      if (issued.refreshToken) await repositories.refreshTokens.insert(issued.refreshToken)
      if (!repositories.outbox) return ISSUANCE_RESULTS.issued
      if (issued.events.length > 0) await repositories.outbox.append(issued.events)
      return ISSUANCE_RESULTS.issuedWithEvents
    })
  return {
    // Whether a unit hands out an outbox is known only inside it: each result says.
    eventsGoToOutbox: true,
    issueAccessToken: (issuance) => run(issuance, NOTHING_TO_CLAIM),
    redeemCode: (redemption) =>
      run(
        redemption,
        async (repositories) =>
          (await repositories.authorizationCodes.consume(redemption.codeHash, redemption.now)) !== null,
      ),
    rotateRefreshToken: (rotation) =>
      run(rotation, async (repositories) => {
        const { now } = rotation
        const rotated = await repositories.refreshTokens.markRotated(rotation.tokenHash, now)
        if (rotated === null) return false
        if (rotation.supersede) {
          await repositories.refreshTokens.revoke(rotated.id, now)
          if (rotated.accessTokenId) await repositories.accessTokens.revoke(rotated.accessTokenId, now)
        }
        return true
      }),
  }
}
