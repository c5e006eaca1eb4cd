import type { SigningKeyEncryptionOptions } from '../crypto/signing-key-encryption.js'
import type { AccessTokenFormat } from '../domain/access-token.js'
import type { OAuthEvent } from '../domain/events.js'
import type { SigningAlgorithm } from '../domain/signing-key.js'
import type { AtomicIssuance } from '../ports/atomic-issuance.js'
import type { Clock } from '../ports/clock.js'
import type { EventPublisher } from '../ports/event-publisher.js'
import type { JwtSigner } from '../ports/jwt-signer.js'
import type { ServerCrypto } from '../ports/server-crypto.js'
import type { Telemetry } from '../ports/telemetry.js'
import type { Repositories, UnitOfWork } from '../ports/unit-of-work.js'

/** Storage: repositories for plain reads, and the unit of work for every change. */
export interface Storage {
  readonly repositories: Repositories
  readonly unitOfWork: UnitOfWork
  /**
   * Code exchange and refresh rotation in one atomic step, when the storage can do it in fewer
   * round trips than a unit of work; without it the core uses the unit of work for those too.
   */
  readonly atomicIssuance?: AtomicIssuance
  /**
   * The names of the storage's migrations not yet run, for `server.health()`; without it the
   * health report says `unknown` for migrations.
   */
  pendingMigrations?(): Promise<readonly string[]>
}

/** Everything `createAuthorizationServer` accepts. Only `issuer`, `storage` and `crypto` are required. */
export interface AuthorizationServerOptions {
  /** The issuer identifier: an https URL without query or fragment (RFC 8414 §2); http only on loopback. */
  readonly issuer: string
  readonly storage: Storage
  /**
   * Hashing, digests and randomness, with the named HMAC keys secrets, codes and tokens are
   * hashed with: `webCrypto({ keys })` (any runtime) or `nodeCrypto({ keys })` from
   * `@sp-oauth/core/node` (faster on Node).
   */
  readonly crypto: ServerCrypto
  /**
   * Key-encryption keys (at least 32 bytes each, named, rotatable like the hash keys) under which the
   * private signing keys of JWT access tokens are stored, AES-256-GCM. Default: keys derived from
   * the hash keys (ids `hashKeys:<id>`), so a database copy alone holds no usable private key.
   * Keys encrypted under a KEK (own or derived) still load while it stays configured;
   * `reencryptSigningKeys()` moves every stored key to the current one.
   */
  readonly signingKeyEncryption?: SigningKeyEncryptionOptions
  readonly eventPublisher?: EventPublisher
  readonly clock?: Clock
  readonly jwtSigner?: JwtSigner
  /** The scopes this server knows. When set, clients may only be allowed these. */
  readonly scopes?: readonly string[]
  /** Granted when an authorization request names no scope. When unset, such a request fails. */
  readonly defaultScopes?: readonly string[]
  /** How long an authorization code lives. Default 5. */
  readonly authCodeTtlMinutes?: number
  /** Default 60. */
  readonly accessTokenTtlMinutes?: number
  /** Default 30. */
  readonly refreshTokenTtlDays?: number
  /**
   * How long after a rotation the old refresh token may be sent once more (a client retrying a
   * response it lost) without the family being revoked. Allowed once, while the token it was
   * rotated into is unused; that token is then superseded, and any later use of it (or of the old
   * token again) revokes the whole family. Default 10; 0: any reuse revokes the family. At most
   * 300. See docs/security.md.
   */
  readonly refreshTokenReuseGraceSeconds?: number
  /** A family of rotated refresh tokens dies this long after its first token. Default: never. */
  readonly refreshTokenFamilyLifetimeDays?: number | null
  /**
   * How long this instance may remember that a client is live, for refusing the tokens of a
   * revoked client at the bearer check and introspection without a storage read. A client revoked
   * through this instance is refused here at once; one revoked elsewhere (another instance, by
   * hand), within this many seconds (its tokens are revoked with it anyway: see docs/security.md).
   * Default 30; 0 reads the client on every check.
   */
  readonly clientCacheSeconds?: number
  readonly pkce?: {
    /**
     * Default `all-clients`: every authorization request needs a `code_challenge` (RFC 9700 §2.1.1,
     * OAuth 2.1). `public-clients` lets confidential clients go without PKCE.
     */
    readonly requiredFor?: 'public-clients' | 'all-clients'
    /**
     * Accept `code_challenge_method=plain` (and a challenge without a method, which means plain).
     * Default false: only S256 (RFC 9700 §2.1.1). When true, the stored code keeps only
     * BASE64URL(SHA-256(challenge)), never the challenge (which is the verifier).
     */
    readonly allowPlain?: boolean
  }
  /** `opaque` (default): random, stored as a hash. `jwt`: RFC 9068, signed with the active key. */
  readonly accessTokenFormat?: AccessTokenFormat
  readonly tokenPrefixes?: { readonly accessToken?: string; readonly refreshToken?: string }
  readonly jwt?: {
    /** The `aud` of JWT access tokens. Default: the issuer. */
    readonly audience?: string
    /** Look the `jti` up on each bearer check so revocation works at once. Default true. */
    readonly checkRevocation?: boolean
    /** The algorithm of keys generated by `rotateSigningKey`. Default ES256. */
    readonly signingAlgorithm?: SigningAlgorithm
    /**
     * How long this instance may keep signing keys in memory. A key marked compromised through this
     * instance stops verifying at once; through another instance, within this many seconds. Default 30.
     */
    readonly signingKeyCacheSeconds?: number
  }
  /** The `realm` of `WWW-Authenticate` challenges. Default `oauth`. */
  readonly realm?: string
  /** Called when publishing events fails after their change committed. Default: ignore. */
  readonly onEventPublishFailed?: (error: unknown, events: readonly OAuthEvent[]) => void
  /**
   * Where to report spans and counters: `createOpenTelemetry()` from `@sp-oauth/opentelemetry`, or
   * your own `Telemetry`. A span per use case and per storage call, and counters of tokens issued
   * and revoked and of requests refused (see `Telemetry` for every name and attribute). Default:
   * none, and then nothing is wrapped: the use cases get the storage and publisher as given.
   */
  readonly telemetry?: Telemetry
}

/** The checked, frozen settings every use case reads. */
export interface ResolvedConfig {
  readonly issuer: string
  readonly scopes: readonly string[] | null
  readonly defaultScopes: readonly string[] | null
  readonly authCodeTtlMinutes: number
  readonly accessTokenTtlMinutes: number
  readonly refreshTokenTtlDays: number
  readonly refreshTokenReuseGraceSeconds: number
  readonly refreshTokenFamilyLifetimeDays: number | null
  readonly clientCacheSeconds: number
  readonly pkceRequiredFor: 'public-clients' | 'all-clients'
  readonly pkceAllowPlain: boolean
  readonly accessTokenFormat: AccessTokenFormat
  readonly accessTokenPrefix: string
  readonly refreshTokenPrefix: string
  readonly jwtAudience: string
  readonly jwtCheckRevocation: boolean
  readonly jwtSigningAlgorithm: SigningAlgorithm
  readonly signingKeyCacheSeconds: number
  readonly realm: string
}
