import type { AuthorizationServer, Client } from '@sp-oauth/core'
import { CliError } from '../cli-error.js'

/**
 * The client with this id, revoked or not.
 *
 * @throws CliError `not_found` naming the id when no client has it
 */
export async function findClient(server: AuthorizationServer, clientId: string): Promise<Client> {
  const client = await server.getClient(clientId)
  if (client === null) throw unknownClient(clientId)
  return client
}

/** The error of a client id no client has. */
export function unknownClient(clientId: string): CliError {
  return new CliError('not_found', `no client has the id "${clientId}": see sp-oauth clients list`, {
    details: { clientId },
  })
}
