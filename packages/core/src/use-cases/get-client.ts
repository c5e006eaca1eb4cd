import { type Client, toClient } from '../domain/client.js'
import { isClientId } from './internal/client-id.js'
import type { ServerContext } from './internal/server-context.js'

/** The client with this id, revoked or not (see `revokedAt`), without its secret hash; `null` when there is none. */
export async function getClient(context: ServerContext, clientId: string): Promise<Client | null> {
  if (!isClientId(clientId)) return null
  const record = await context.storage.repositories.clients.findById(clientId)
  return record === null ? null : toClient(record)
}
