import { OAuthError } from '../../errors/oauth-error.js'
import { isClientId } from './client-id.js'

/** Where a page of clients ends: the registration time and id of its last client. */
export interface ClientListPosition {
  readonly createdAt: Date
  readonly id: string
}

/** `c1.<milliseconds>.<client id>`: a client id is visible ASCII, so it needs no encoding. */
const CURSOR = /^c1\.(-?\d{1,16})\.(.+)$/s

/**
 * The cursor `listClients` hands out for the page after `position`: opaque to callers (its shape
 * may change), not a secret (a client id and a time).
 */
export function clientListCursor(position: ClientListPosition): string {
  return `c1.${position.createdAt.getTime()}.${position.id}`
}

/** @throws OAuthError `invalid_request` naming `cursor` when it is not one `listClients` gave */
export function readClientListCursor(cursor: string): ClientListPosition {
  const match = typeof cursor === 'string' ? CURSOR.exec(cursor) : null
  const createdAt = match ? new Date(Number(match[1])) : null
  if (!match || !createdAt || Number.isNaN(createdAt.getTime()) || !isClientId(match[2]!)) {
    throw OAuthError.invalidRequest({ description: 'cursor: not a cursor listClients gave' })
  }
  return { createdAt, id: match[2]! }
}
