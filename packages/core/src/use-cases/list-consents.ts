import type { ServerContext } from './internal/server-context.js'
import { type UserReference, userIdOf } from './internal/user-id.js'

/** One client the user has remembered consent for, as a "connected clients" page shows it. */
export interface ConnectedClient {
  readonly clientId: string
  /** The client's registered name; `null` when the client no longer exists. */
  readonly clientName: string | null
  readonly scopes: readonly string[]
  /** When the user first consented. */
  readonly createdAt: Date
  /** When the consent last changed (scopes added). */
  readonly updatedAt: Date
}

/**
 * Every remembered consent of the user, ordered by client id, with each client's name: the data
 * of a "connected clients" page, whose "disconnect" button calls `revokeUserTokens` with the
 * client id and `consent: 'revoke'`. Reads only: no unit of work, no event.
 *
 * @throws SpOAuthError when the user id is not a valid user id (an application bug)
 */
export async function listConsents(
  context: ServerContext,
  user: UserReference,
): Promise<readonly ConnectedClient[]> {
  const { repositories } = context.storage
  const consents = await repositories.consents.listByUser(userIdOf(user))
  const clients = await Promise.all(
    consents.map((consent) => repositories.clients.findById(consent.clientId)),
  )
  return consents.map((consent, index) => ({
    clientId: consent.clientId,
    clientName: clients[index]?.name ?? null,
    scopes: consent.scopes,
    createdAt: consent.createdAt,
    updatedAt: consent.updatedAt,
  }))
}
