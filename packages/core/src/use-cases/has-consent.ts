import { isScopeSubset } from '../domain/scope.js'
import { isClientId } from './internal/client-id.js'
import type { ServerContext } from './internal/server-context.js'
import { type UserReference, userIdOf } from './internal/user-id.js'

/** A user, a client, and (for checks and grants) scopes. */
export interface ConsentQuery {
  readonly user: UserReference
  readonly clientId: string
  readonly scopes: readonly string[]
}

/** Whether the user has a remembered consent for the client covering every one of `scopes`. */
export async function hasConsent(context: ServerContext, query: ConsentQuery): Promise<boolean> {
  if (!isClientId(query.clientId)) return false
  const consent = await context.storage.repositories.consents.find(userIdOf(query.user), query.clientId)
  return consent !== null && isScopeSubset(query.scopes, consent.scopes)
}
