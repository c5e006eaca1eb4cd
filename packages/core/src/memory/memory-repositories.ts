import type { AuthorizationCodeRecord } from '../domain/authorization-code.js'
import type { ClientRecord } from '../domain/client.js'
import type { ConsentRecord } from '../domain/consent.js'
import type { OAuthEvent } from '../domain/events.js'
import type { AccessTokenRepository } from '../ports/access-token-repository.js'
import type { AuthorizationCodeRepository } from '../ports/authorization-code-repository.js'
import type { ClientChanges, ClientListQuery, ClientRepository } from '../ports/client-repository.js'
import type { ClientWithCredential } from '../ports/client-with-credential.js'
import type { ConsentRepository } from '../ports/consent-repository.js'
import type { ConsentTicketRepository } from '../ports/consent-ticket-repository.js'
import type { EventOutboxRepository } from '../ports/event-publisher.js'
import type { RefreshTokenRepository } from '../ports/refresh-token-repository.js'
import type { SigningKeyRepository } from '../ports/signing-key-repository.js'
import type { Repositories } from '../ports/unit-of-work.js'
import type { TableView } from './memory-table.js'
import { consentKey, type Tables } from './memory-tables.js'

/**
 * Runs one repository operation against the tables: reads at once, writes atomically (outside a
 * transaction, each write is a transaction of its own).
 */
export type TableAccess = <T>(mode: 'read' | 'write', operation: (tables: Tables) => T) => Promise<T>

/**
 * A deep copy of record data: primitives, `Date`s, arrays and JSON objects. Stored rows and every
 * result are copies, so no caller can change stored state behind the repository's back (through a
 * `Date`, a scope array or nested claims), nor see a result change under it.
 */
export function copyData<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (Array.isArray(value)) {
    const copy = new Array(value.length)
    for (let i = 0; i < value.length; i++) copy[i] = copyData(value[i])
    return copy as T
  }
  // A spread copies the own properties in one step, a claim named `__proto__` included as a plain
  // own property (so assigning it below replaces that property, never the prototype); only the
  // nested objects, arrays and dates then need copies of their own.
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  for (const key in copy) {
    const item = copy[key]
    if (typeof item === 'object' && item !== null) copy[key] = copyData(item)
  }
  return copy as T
}

/** A row to store: a frozen deep copy of what the caller passed. */
function frozen<T extends object>(row: T): T {
  return Object.freeze(copyData(row))
}

/** The client `clientId`, and `record` when it exists and was issued to that client. */
function withClient<T extends { readonly clientId: string }>(
  tables: Tables,
  record: T | null,
  clientId: string,
): ClientWithCredential<T> | null {
  const client = tables.clients.get(clientId)
  if (client === null) return null
  return { client, record: record !== null && record.clientId === clientId ? record : null }
}

export function createMemoryRepositories(tableAccess: TableAccess): Repositories {
  // Results are copied too: a caller must not hold (and could change) a `Date` of a stored row.
  const access: TableAccess = (mode, operation) => tableAccess(mode, (tables) => copyData(operation(tables)))
  return {
    clients: memoryClientRepository(access),
    authorizationCodes: memoryAuthorizationCodeRepository(access),
    accessTokens: memoryAccessTokenRepository(access),
    refreshTokens: memoryRefreshTokenRepository(access),
    consents: memoryConsentRepository(access),
    consentTickets: memoryConsentTicketRepository(access),
    signingKeys: memorySigningKeyRepository(access),
  }
}

function memoryConsentTicketRepository(access: TableAccess): ConsentTicketRepository {
  return {
    consume: (ticket, now) =>
      access('write', (t) => {
        if (t.consentTickets.get(ticket.nonceHash)) return false
        // An expired ticket is refused by its expiry before it gets here: its record can go, so a
        // long-running memory storage does not keep every ticket ever answered.
        for (const expired of t.consentTickets.filter((row) => row.expiresAt.getTime() <= now.getTime())) {
          t.consentTickets.delete(expired.nonceHash)
        }
        t.consentTickets.insert(
          frozen({ nonceHash: ticket.nonceHash, expiresAt: ticket.expiresAt, consumedAt: now }),
        )
        return true
      }),
  }
}

function memoryClientRepository(access: TableAccess): ClientRepository {
  return {
    insert: (client) => access('write', (t) => t.clients.insert(frozen(client))),
    findById: (clientId) => access('read', (t) => t.clients.get(clientId)),
    list: (query) => access('read', (t) => listClients(t.clients.filter(listed(query)), query.limit)),
    update: (clientId, changes, now, ifUpdatedAt) =>
      access('write', (t) => {
        const client = t.clients.get(clientId)
        if (!client || client.revokedAt || client.updatedAt.getTime() !== ifUpdatedAt.getTime()) return null
        const updated = frozen({ ...client, ...definedOnly(changes), updatedAt: now })
        t.clients.put(updated)
        return updated
      }),
    updateSecret: (clientId, secret, now) =>
      access('write', (t) => {
        const client = t.clients.get(clientId)
        if (!client || client.revokedAt) return null
        const { secretHash, secretHashKeyId } = secret
        const updated = frozen({ ...client, secretHash, secretHashKeyId, updatedAt: now })
        t.clients.put(updated)
        return updated
      }),
    revoke: (clientId, now) =>
      access('write', (t) => {
        const client = t.clients.get(clientId)
        if (!client || client.revokedAt) return null
        const revoked = frozen({ ...client, revokedAt: now, updatedAt: now })
        t.clients.put(revoked)
        return revoked
      }),
  }
}

/** Whether a client belongs in the listing `query` asks for (its page aside). */
function listed(query: ClientListQuery): (client: ClientRecord) => boolean {
  const search = query.search?.toLowerCase() ?? null
  return (client) =>
    (query.includeRevoked || client.revokedAt === null) &&
    (query.after === null || compareListOrder(client, query.after) > 0) &&
    (search === null ||
      client.name.toLowerCase().includes(search) ||
      client.id.toLowerCase().startsWith(search))
}

function listClients(clients: ClientRecord[], limit: number): ClientRecord[] {
  return clients.sort(compareListOrder).slice(0, limit)
}

/** Registration order: `createdAt`, then `id`. */
function compareListOrder(
  a: Pick<ClientRecord, 'createdAt' | 'id'>,
  b: Pick<ClientRecord, 'createdAt' | 'id'>,
): number {
  const byTime = a.createdAt.getTime() - b.createdAt.getTime()
  if (byTime !== 0) return byTime
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** `changes` without the fields given as `undefined`, which leave a field as it is. */
function definedOnly(changes: ClientChanges): ClientChanges {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined))
}

function memoryAuthorizationCodeRepository(access: TableAccess): AuthorizationCodeRepository {
  return {
    insert: (code) => access('write', (t) => t.codes.insert(frozen(code))),
    findByHash: (codeHash) => access('read', (t) => t.codes.get(codeHash)),
    findByHashWithClient: (codeHash, clientId) =>
      access('read', (t) => withClient(t, t.codes.get(codeHash), clientId)),
    consume: (codeHash, now) =>
      access('write', (t) => {
        const code = t.codes.get(codeHash)
        if (!code || code.consumedAt) return null
        const consumed = frozen({ ...code, consumedAt: now })
        t.codes.put(consumed)
        return consumed
      }),
    deleteByClient: (clientId) => deleteUnconsumedCodes(access, (code) => code.clientId === clientId),
    deleteByUser: (userId, clientId) =>
      deleteUnconsumedCodes(access, (code) => ofUser(code, userId, clientId)),
  }
}

function deleteUnconsumedCodes(
  access: TableAccess,
  predicate: (code: AuthorizationCodeRecord) => boolean,
): Promise<number> {
  return access('write', (t) => {
    const doomed = t.codes.filter((code) => code.consumedAt === null && predicate(code))
    for (const code of doomed) t.codes.delete(code.codeHash)
    return doomed.length
  })
}

/** The bulk revocation access and refresh tokens share. */
function revokeWhere<R extends { readonly revokedAt: Date | null }>(
  table: TableView<R>,
  predicate: (row: R) => boolean,
  now: Date,
): number {
  const rows = table.filter((row) => row.revokedAt === null && predicate(row))
  for (const row of rows) table.put(frozen({ ...row, revokedAt: now }))
  return rows.length
}

/** Whether a token was issued to `userId` (and to `clientId`, unless it is `null`). */
function ofUser(
  row: { readonly userId: string | null; readonly clientId: string },
  userId: string,
  clientId: string | null,
): boolean {
  return row.userId === userId && (clientId === null || row.clientId === clientId)
}

function memoryAccessTokenRepository(access: TableAccess): AccessTokenRepository {
  return {
    insert: (token) => access('write', (t) => t.accessTokens.insert(frozen(token))),
    findByHash: (tokenHash) => access('read', (t) => t.accessTokens.findUnique('hash', tokenHash) ?? null),
    findById: (tokenId) => access('read', (t) => t.accessTokens.get(tokenId) ?? null),
    revoke: (tokenId, now) =>
      access('write', (t) => {
        const token = t.accessTokens.get(tokenId)
        if (!token || token.revokedAt) return null
        const revoked = frozen({ ...token, revokedAt: now })
        t.accessTokens.put(revoked)
        return revoked
      }),
    revokeFamily: (familyId, now) =>
      access('write', (t) => revokeWhere(t.accessTokens, (row) => row.familyId === familyId, now)),
    revokeByClient: (clientId, now) =>
      access('write', (t) => revokeWhere(t.accessTokens, (row) => row.clientId === clientId, now)),
    revokeByUser: (userId, clientId, now) =>
      access('write', (t) => revokeWhere(t.accessTokens, (row) => ofUser(row, userId, clientId), now)),
  }
}

function memoryRefreshTokenRepository(access: TableAccess): RefreshTokenRepository {
  return {
    insert: (token) => access('write', (t) => t.refreshTokens.insert(frozen(token))),
    findByHash: (tokenHash) => access('read', (t) => t.refreshTokens.findUnique('hash', tokenHash)),
    findByHashWithClient: (tokenHash, clientId) =>
      access('read', (t) => withClient(t, t.refreshTokens.findUnique('hash', tokenHash), clientId)),
    findByParentId: (parentId) =>
      access('read', (t) => {
        const children = t.refreshTokens.filter((row) => row.parentId === parentId)
        children.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        return children[0] ?? null
      }),
    markRotated: (tokenHash, now) =>
      access('write', (t) => {
        const token = t.refreshTokens.findUnique('hash', tokenHash)
        if (!token || token.rotatedAt || token.revokedAt) return null
        const rotated = frozen({ ...token, rotatedAt: now })
        t.refreshTokens.put(rotated)
        return rotated
      }),
    revoke: (tokenId, now) =>
      access('write', (t) => {
        const token = t.refreshTokens.get(tokenId)
        if (!token || token.revokedAt) return null
        const revoked = frozen({ ...token, revokedAt: now })
        t.refreshTokens.put(revoked)
        return revoked
      }),
    revokeFamily: (familyId, now) =>
      access('write', (t) => revokeWhere(t.refreshTokens, (row) => row.familyId === familyId, now)),
    revokeByClient: (clientId, now) =>
      access('write', (t) => revokeWhere(t.refreshTokens, (row) => row.clientId === clientId, now)),
    revokeByUser: (userId, clientId, now) =>
      access('write', (t) => revokeWhere(t.refreshTokens, (row) => ofUser(row, userId, clientId), now)),
  }
}

function memoryConsentRepository(access: TableAccess): ConsentRepository {
  return {
    find: (userId, clientId) => access('read', (t) => t.consents.get(consentKey(userId, clientId))),
    upsert: (consent: ConsentRecord) => access('write', (t) => t.consents.put(frozen(consent))),
    delete: (userId, clientId) => access('write', (t) => t.consents.delete(consentKey(userId, clientId))),
    deleteByClient: (clientId) =>
      access('write', (t) => {
        const doomed = t.consents.filter((consent) => consent.clientId === clientId)
        for (const consent of doomed) t.consents.delete(consentKey(consent.userId, consent.clientId))
        return doomed.length
      }),
    listByUser: (userId) =>
      access('read', (t) =>
        t.consents
          .filter((consent) => consent.userId === userId)
          .sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0)),
      ),
    deleteByUser: (userId) =>
      access('write', (t) => {
        const doomed = t.consents.filter((consent) => consent.userId === userId)
        for (const consent of doomed) t.consents.delete(consentKey(consent.userId, consent.clientId))
        return doomed.length
      }),
  }
}

function memorySigningKeyRepository(access: TableAccess): SigningKeyRepository {
  return {
    insert: (key) => access('write', (t) => t.signingKeys.insert(frozen(key))),
    findByKid: (kid) => access('read', (t) => t.signingKeys.get(kid)),
    listByState: (states) =>
      access('read', (t) =>
        t.signingKeys
          .filter((key) => states.includes(key.state))
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
      ),
    updateState: (kid, state, now) =>
      access('write', (t) => {
        const key = t.signingKeys.get(kid)
        if (!key) return null
        const updated = frozen({ ...key, state, updatedAt: now })
        t.signingKeys.put(updated)
        return updated
      }),
    updatePrivateJwk: (kid, privateJwk) =>
      access('write', (t) => {
        const key = t.signingKeys.get(kid)
        if (!key) return null
        const updated = frozen({ ...key, privateJwk: copyData(privateJwk) })
        t.signingKeys.put(updated)
        return updated
      }),
  }
}

export function memoryOutbox(pending: OAuthEvent[]): EventOutboxRepository {
  return {
    append: async (events) => {
      pending.push(...events)
    },
  }
}
