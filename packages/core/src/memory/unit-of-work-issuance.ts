import type { AtomicIssuance, IssuedTokenRecords } from '../ports/atomic-issuance.js'
import type { TransactionalRepositories, UnitOfWork } from '../ports/unit-of-work.js'

/**
 * `AtomicIssuance` on a unit of work: each step is one unit that gives up (writing nothing) when
 * the code or token lost its race. It saves nothing over the core's own path; it exists so the
 * in-memory storage can exercise the core's one-step path and the contract suite has a reference.
 */
export function unitOfWorkIssuance(unitOfWork: UnitOfWork, eventsGoToOutbox: boolean): AtomicIssuance {
  const store = async (repositories: TransactionalRepositories, issued: IssuedTokenRecords) => {
    await repositories.accessTokens.insert(issued.accessToken)
    if (issued.refreshToken) await repositories.refreshTokens.insert(issued.refreshToken)
    if (eventsGoToOutbox && repositories.outbox && issued.events.length > 0) {
      await repositories.outbox.append(issued.events)
    }
    return true
  }
  return {
    eventsGoToOutbox,
    redeemCode: (redemption) =>
      unitOfWork.run(async (repositories) =>
        (await repositories.authorizationCodes.consume(redemption.codeHash, redemption.now))
          ? store(repositories, redemption)
          : false,
      ),
    rotateRefreshToken: (rotation) =>
      unitOfWork.run(async (repositories) =>
        (await repositories.refreshTokens.markRotated(rotation.tokenHash, rotation.now))
          ? store(repositories, rotation)
          : false,
      ),
  }
}
