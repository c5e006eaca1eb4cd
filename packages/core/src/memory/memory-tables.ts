import type { AccessTokenRecord } from '../domain/access-token.js'
import type { AuthorizationCodeRecord } from '../domain/authorization-code.js'
import type { ClientRecord } from '../domain/client.js'
import type { ConsentRecord } from '../domain/consent.js'
import type { OAuthEvent } from '../domain/events.js'
import type { RefreshTokenRecord } from '../domain/refresh-token.js'
import type { SigningKeyRecord } from '../domain/signing-key.js'
import { MemoryTable, type StagedTable, type TableView } from './memory-table.js'

/** A used consent ticket: its nonce's hash, when the ticket expires, and when it was used. */
export interface ConsentTicketRow {
  readonly nonceHash: string
  readonly expiresAt: Date
  readonly consumedAt: Date
}

/** Every table, as one kind of view: committed, or staged in a transaction. */
export interface Tables {
  readonly clients: TableView<ClientRecord>
  readonly codes: TableView<AuthorizationCodeRecord>
  readonly accessTokens: TableView<AccessTokenRecord>
  readonly refreshTokens: TableView<RefreshTokenRecord>
  readonly consents: TableView<ConsentRecord>
  readonly consentTickets: TableView<ConsentTicketRow>
  readonly signingKeys: TableView<SigningKeyRecord>
}

export interface CommittedTables extends Tables {
  readonly clients: MemoryTable<ClientRecord>
  readonly codes: MemoryTable<AuthorizationCodeRecord>
  readonly accessTokens: MemoryTable<AccessTokenRecord>
  readonly refreshTokens: MemoryTable<RefreshTokenRecord>
  readonly consents: MemoryTable<ConsentRecord>
  readonly consentTickets: MemoryTable<ConsentTicketRow>
  readonly signingKeys: MemoryTable<SigningKeyRecord>
  /** Events appended through the outbox, when the storage was created with one. */
  readonly outbox: OAuthEvent[]
  /** The same events as outbox entries, in sequence order, with their delivery state. */
  readonly outboxRows: MemoryOutboxRow[]
}

/** One outbox entry in memory: a frozen copy of the event, and what relays did with it. */
export interface MemoryOutboxRow {
  readonly sequence: number
  readonly aggregateId: string
  readonly event: OAuthEvent
  /** When a relay marked it delivered; `null` until then. */
  deliveredAt: Date | null
  /** The batch that holds it, as a row lock would; `null` when no batch does. */
  claimedBy: object | null
}

export interface StagedTables extends Tables {
  readonly clients: StagedTable<ClientRecord>
  readonly codes: StagedTable<AuthorizationCodeRecord>
  readonly accessTokens: StagedTable<AccessTokenRecord>
  readonly refreshTokens: StagedTable<RefreshTokenRecord>
  readonly consents: StagedTable<ConsentRecord>
  readonly consentTickets: StagedTable<ConsentTicketRow>
  readonly signingKeys: StagedTable<SigningKeyRecord>
}

export function createTables(): CommittedTables {
  return {
    clients: new MemoryTable<ClientRecord>({ key: (row) => row.id, unique: {} }),
    codes: new MemoryTable<AuthorizationCodeRecord>({ key: (row) => row.codeHash, unique: {} }),
    accessTokens: new MemoryTable<AccessTokenRecord>({
      key: (row) => row.id,
      unique: { hash: (row) => row.tokenHash },
    }),
    refreshTokens: new MemoryTable<RefreshTokenRecord>({
      key: (row) => row.id,
      unique: { hash: (row) => row.tokenHash },
    }),
    consents: new MemoryTable<ConsentRecord>({
      key: (row) => consentKey(row.userId, row.clientId),
      unique: {},
    }),
    consentTickets: new MemoryTable<ConsentTicketRow>({ key: (row) => row.nonceHash, unique: {} }),
    signingKeys: new MemoryTable<SigningKeyRecord>({ key: (row) => row.kid, unique: {} }),
    outbox: [],
    outboxRows: [],
  }
}

export function stageTables(tables: CommittedTables): StagedTables {
  return {
    clients: tables.clients.stage(),
    codes: tables.codes.stage(),
    accessTokens: tables.accessTokens.stage(),
    refreshTokens: tables.refreshTokens.stage(),
    consents: tables.consents.stage(),
    consentTickets: tables.consentTickets.stage(),
    signingKeys: tables.signingKeys.stage(),
  }
}

export function commitTables(staged: StagedTables): void {
  staged.clients.commit()
  staged.codes.commit()
  staged.accessTokens.commit()
  staged.refreshTokens.commit()
  staged.consents.commit()
  staged.consentTickets.commit()
  staged.signingKeys.commit()
}

export function consentKey(userId: string, clientId: string): string {
  return JSON.stringify([userId, clientId])
}
