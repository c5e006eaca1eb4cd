// Helpers for the token-side tests (not published): client credentials on the wire, clients
// inserted by hand, and a storage wrapper that records every write of every unit of work and can
// make the Nth write of the next unit throw, to prove a use case's writes commit or roll back
// together.
import type { AccessTokenRecord } from '../domain/access-token.js'
import type { ClientRecord } from '../domain/client.js'
import type { GrantType } from '../domain/grant-type.js'
import type { RefreshTokenRecord } from '../domain/refresh-token.js'
import { OAuthError } from '../errors/oauth-error.js'
import { createMemoryStorage, type MemoryStorage } from '../memory/create-memory-storage.js'
import type { Repositories, TransactionalRepositories } from '../ports/unit-of-work.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import { REDIRECT_URI, rejectionOf } from './test-server.js'

/** The rejection of `promise`, which must be an {@link OAuthError}. */
export async function oauthErrorOf(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await rejectionOf(promise)
  if (!(error instanceof OAuthError)) {
    throw new Error(`expected an OAuthError, got ${String(error)}`, { cause: error })
  }
  return error
}

/** `application/x-www-form-urlencoded` encoding of one value, as RFC 6749 §2.3.1 asks inside Basic. */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1)
}

/** `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1). */
export function basicAuthorization(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`, 'utf8').toString('base64')}`
}

/**
 * Stores a client directly, bypassing `createClient`: for secrets `createClient` never makes (with
 * characters that need form-encoding) and client shapes it refuses.
 */
export async function insertClient(
  server: AuthorizationServer,
  options: {
    readonly secret: string | null
    readonly allowedGrants?: readonly GrantType[]
    readonly allowedScopes?: readonly string[]
  },
): Promise<ClientRecord> {
  const { context } = server
  const now = context.clock.now()
  const hashed = options.secret === null ? null : await context.hasher.hash(options.secret)
  const record: ClientRecord = {
    id: context.random.uuid(),
    name: 'Hand-made client',
    redirectUris: [REDIRECT_URI],
    allowedGrants: options.allowedGrants ?? ['authorization_code', 'refresh_token'],
    allowedScopes: options.allowedScopes ?? ['invoices.read', 'invoices.write'],
    confidential: options.secret !== null,
    applicationType: 'web',
    silentConsent: options.secret !== null,
    resourceServer: false,
    tokenEndpointAuthMethod: options.secret === null ? 'none' : null,
    accessTokenTtlMinutes: null,
    refreshTokenTtlDays: null,
    secretHash: hashed?.hash ?? null,
    secretHashKeyId: hashed?.keyId ?? null,
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
  }
  await context.storage.unitOfWork.run((repositories) => repositories.clients.insert(record))
  return record
}

/** One repository write made inside a unit of work. */
export interface WriteCall {
  /** `repository.method`, e.g. `authorizationCodes.consume`. */
  readonly name: string
  readonly args: readonly unknown[]
}

/** Real in-memory storage that records the writes of each unit of work and can fail one on demand. */
export interface FaultyStorage {
  /** Pass this to the server. */
  readonly storage: MemoryStorage
  /** The committed state, read directly (no recording, no faults). */
  readonly committed: Repositories
  /** The writes each unit of work made (or attempted), one list per unit, in order. */
  readonly units: readonly (readonly WriteCall[])[]
  /** Makes the next unit of work throw at its `n`th repository write (1-based). */
  failNextUnitOfWorkAt(n: number): void
}

/** Every repository method that writes. */
const WRITE_METHODS: { readonly [K in keyof Repositories]: readonly (keyof Repositories[K])[] } = {
  clients: ['insert', 'updateSecret', 'revoke'],
  authorizationCodes: ['insert', 'consume', 'deleteByClient'],
  accessTokens: ['insert', 'revoke', 'revokeFamily', 'revokeByClient'],
  refreshTokens: ['insert', 'markRotated', 'revoke', 'revokeFamily', 'revokeByClient'],
  consents: ['upsert', 'delete', 'deleteByClient'],
  consentTickets: ['consume'],
  signingKeys: ['insert', 'updateState'],
}

export const INJECTED_FAILURE = 'injected storage failure'

export function createFaultyStorage(options: { readonly outbox?: boolean } = {}): FaultyStorage {
  const inner = createMemoryStorage(options)
  const units: WriteCall[][] = []
  let failAt: number | null = null

  function wrap<R extends object>(
    repositoryName: string,
    repository: R,
    methods: readonly (keyof R)[],
    onWrite: (call: WriteCall) => void,
  ): R {
    const copy = { ...repository } as Record<keyof R, unknown>
    for (const method of methods) {
      const original = repository[method] as (...args: unknown[]) => Promise<unknown>
      copy[method] = async (...args: unknown[]) => {
        onWrite({ name: `${repositoryName}.${String(method)}`, args })
        return original(...args)
      }
    }
    return copy as R
  }

  function recording(
    repositories: TransactionalRepositories,
    calls: WriteCall[],
    failAtWrite: number | null,
  ) {
    const onWrite = (call: WriteCall): void => {
      calls.push(call)
      if (failAtWrite !== null && calls.length === failAtWrite) {
        throw new Error(`${INJECTED_FAILURE} at write ${failAtWrite} (${call.name})`)
      }
    }
    const wrapped: TransactionalRepositories = {
      clients: wrap('clients', repositories.clients, WRITE_METHODS.clients, onWrite),
      authorizationCodes: wrap(
        'authorizationCodes',
        repositories.authorizationCodes,
        WRITE_METHODS.authorizationCodes,
        onWrite,
      ),
      accessTokens: wrap('accessTokens', repositories.accessTokens, WRITE_METHODS.accessTokens, onWrite),
      refreshTokens: wrap('refreshTokens', repositories.refreshTokens, WRITE_METHODS.refreshTokens, onWrite),
      consents: wrap('consents', repositories.consents, WRITE_METHODS.consents, onWrite),
      consentTickets: wrap(
        'consentTickets',
        repositories.consentTickets,
        WRITE_METHODS.consentTickets,
        onWrite,
      ),
      signingKeys: wrap('signingKeys', repositories.signingKeys, WRITE_METHODS.signingKeys, onWrite),
      ...(repositories.outbox ? { outbox: repositories.outbox } : {}),
    }
    return wrapped
  }

  const storage: MemoryStorage = {
    repositories: inner.repositories,
    outboxEvents: inner.outboxEvents,
    unitOfWork: {
      run: (work) => {
        const calls: WriteCall[] = []
        units.push(calls)
        const failAtWrite = failAt
        failAt = null
        return inner.unitOfWork.run((repositories) => work(recording(repositories, calls, failAtWrite)))
      },
    },
  }
  return {
    storage,
    committed: inner.repositories,
    units,
    failNextUnitOfWorkAt(n) {
      failAt = n
    },
  }
}

/** Every access token record a unit of work inserted (or tried to). */
export function insertedAccessTokens(calls: readonly WriteCall[]): AccessTokenRecord[] {
  return calls
    .filter((call) => call.name === 'accessTokens.insert')
    .map((call) => call.args[0] as AccessTokenRecord)
}

/** Every refresh token record a unit of work inserted (or tried to). */
export function insertedRefreshTokens(calls: readonly WriteCall[]): RefreshTokenRecord[] {
  return calls
    .filter((call) => call.name === 'refreshTokens.insert')
    .map((call) => call.args[0] as RefreshTokenRecord)
}
