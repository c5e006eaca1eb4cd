import type { AccessTokenRecord } from '../domain/access-token.js'
import type { AuthorizationCodeRecord } from '../domain/authorization-code.js'
import type { ClientRecord } from '../domain/client.js'
import type { ConsentRecord } from '../domain/consent.js'
import { base64UrlEncode } from '../domain/pkce.js'
import type { RefreshTokenRecord } from '../domain/refresh-token.js'
import type { SigningKeyRecord } from '../domain/signing-key.js'

// Builders for adapter authors and for the contract suites. Ids and hashes are fresh on every call,
// so records never collide, even in a storage other tests share. Dates are fixed instants with
// millisecond precision: a storage may keep no more (MySQL `DATETIME(3)`), and fixed dates make
// failures reproducible.

/** The instant every builder's `createdAt` is: 2026-01-02T03:04:05.678Z. */
const BASE_INSTANT = Date.UTC(2026, 0, 2, 3, 4, 5, 678)
const MINUTE_MS = 60_000
const DAY_MS = 86_400_000

/** A fixed instant `offsetMs` after the builders' base instant (a new `Date` each call). */
export function instantAfter(offsetMs: number): Date {
  return new Date(BASE_INSTANT + offsetMs)
}

/** A random version 4 UUID, from Web Crypto. */
export function randomUuid(): string {
  return globalThis.crypto.randomUUID()
}

/** A random stand-in for an HMAC-SHA-256 hash: 43 base64url characters, as the core's hashers make. */
export function randomHash(): string {
  return base64UrlEncode(globalThis.crypto.getRandomValues(new Uint8Array(32)))
}

/**
 * A valid confidential client, `authorization_code` and `refresh_token` allowed, not revoked.
 * `id` and `secretHash` are fresh on every call; `createdAt` and `updatedAt` are a fixed instant.
 *
 * @param overrides fields to set instead of the defaults.
 */
export function buildClientRecord(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id: randomUuid(),
    name: 'Contract test client',
    redirectUris: ['https://client.example.com/callback'],
    allowedGrants: ['authorization_code', 'refresh_token'],
    allowedScopes: ['openid', 'profile'],
    confidential: true,
    applicationType: 'web',
    silentConsent: true,
    resourceServer: false,
    tokenEndpointAuthMethod: null,
    accessTokenTtlMinutes: null,
    refreshTokenTtlDays: null,
    secretHash: randomHash(),
    secretHashKeyId: 'k1',
    createdAt: instantAfter(0),
    updatedAt: instantAfter(0),
    revokedAt: null,
    ...overrides,
  }
}

/**
 * A valid unconsumed authorization code with an S256 PKCE challenge, expiring 5 minutes after it
 * was created. `codeHash`, `grantId` and `clientId` are fresh on every call: if your schema has a
 * foreign key on `clientId`, store a client with that id first (or override it).
 *
 * @param overrides fields to set instead of the defaults.
 */
export function buildAuthorizationCodeRecord(
  overrides: Partial<AuthorizationCodeRecord> = {},
): AuthorizationCodeRecord {
  return {
    codeHash: randomHash(),
    hashKeyId: 'k1',
    grantId: randomUuid(),
    clientId: randomUuid(),
    userId: `user-${randomUuid()}`,
    redirectUri: 'https://client.example.com/callback',
    redirectUriExplicit: true,
    scopes: ['openid', 'profile'],
    claims: {},
    codeChallenge: randomHash(),
    codeChallengeMethod: 'S256',
    createdAt: instantAfter(0),
    expiresAt: instantAfter(5 * MINUTE_MS),
    consumedAt: null,
    ...overrides,
  }
}

/**
 * A valid opaque access token from the authorization code grant, unrevoked, expiring 60 minutes
 * after it was created. `id`, `tokenHash`, `clientId` and `familyId` are fresh on every call: if
 * your schema has a foreign key on `clientId`, store a client with that id first.
 *
 * @param overrides fields to set instead of the defaults.
 */
export function buildAccessTokenRecord(overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord {
  return {
    id: randomUuid(),
    tokenHash: randomHash(),
    hashKeyId: 'k1',
    format: 'opaque',
    clientId: randomUuid(),
    userId: `user-${randomUuid()}`,
    grantType: 'authorization_code',
    scopes: ['openid', 'profile'],
    claims: {},
    familyId: randomUuid(),
    createdAt: instantAfter(0),
    expiresAt: instantAfter(60 * MINUTE_MS),
    revokedAt: null,
    ...overrides,
  }
}

/**
 * A valid refresh token that starts its family (no parent, no access token), unrotated and
 * unrevoked, expiring 30 days after it was created. `id`, `tokenHash`, `familyId` and `clientId`
 * are fresh on every call: if your schema has a foreign key on `clientId`, store a client with that
 * id first; set `parentId` and `accessTokenId` only to records you stored.
 *
 * @param overrides fields to set instead of the defaults.
 */
export function buildRefreshTokenRecord(overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    id: randomUuid(),
    tokenHash: randomHash(),
    hashKeyId: 'k1',
    familyId: randomUuid(),
    parentId: null,
    clientId: randomUuid(),
    userId: `user-${randomUuid()}`,
    scopes: ['openid', 'profile'],
    claims: {},
    accessTokenId: null,
    familyCreatedAt: instantAfter(0),
    createdAt: instantAfter(0),
    expiresAt: instantAfter(30 * DAY_MS),
    rotatedAt: null,
    revokedAt: null,
    ...overrides,
  }
}

/**
 * A valid consent of a fresh user for a fresh client. If your schema has a foreign key on
 * `clientId`, store a client with that id first.
 *
 * @param overrides fields to set instead of the defaults.
 */
export function buildConsentRecord(overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    userId: `user-${randomUuid()}`,
    clientId: randomUuid(),
    scopes: ['openid', 'profile'],
    claims: {},
    createdAt: instantAfter(0),
    updatedAt: instantAfter(0),
    ...overrides,
  }
}

/**
 * An active ES256 signing key with a fresh `kid`. Its JWKs have the right shape but random
 * coordinates: good for storing, not for signing (use `generateSigningKeyPair` for that).
 *
 * @param overrides fields to set instead of the defaults.
 */
export function buildSigningKeyRecord(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  const kid = overrides.kid ?? randomUuid()
  const point = { kty: 'EC', crv: 'P-256', x: randomHash(), y: randomHash(), kid, alg: 'ES256' }
  return {
    kid,
    algorithm: 'ES256',
    state: 'active',
    publicJwk: { ...point, use: 'sig' },
    privateJwk: { ...point, d: randomHash() },
    createdAt: instantAfter(0),
    updatedAt: instantAfter(0),
    ...overrides,
  }
}
