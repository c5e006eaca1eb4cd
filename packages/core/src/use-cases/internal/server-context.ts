import type { ResolvedConfig, Storage } from '../../config/options.js'
import type { SigningKeyEncryption } from '../../crypto/signing-key-encryption.js'
import type { OAuthEvent } from '../../domain/events.js'
import type { AtomicIssuance } from '../../ports/atomic-issuance.js'
import type { Clock } from '../../ports/clock.js'
import type { EventPublisher } from '../../ports/event-publisher.js'
import type { JwtSigner } from '../../ports/jwt-signer.js'
import type { RandomSource } from '../../ports/random-source.js'
import type { SecretHasher } from '../../ports/secret-hasher.js'
import type { Sha256Digest } from '../../ports/sha256-digest.js'
import type { ClientRevocationCache } from './client-revocation-cache.js'
import type { SigningKeyCache } from './signing-key-cache.js'

/** What every use case receives: resolved settings and ports. Built once by `createAuthorizationServer`. */
export interface ServerContext {
  readonly config: ResolvedConfig
  readonly storage: Storage
  /** The one way grants issue tokens: the storage's own `atomicIssuance`, or the core's over its unit of work. */
  readonly issuance: AtomicIssuance
  readonly hasher: SecretHasher
  readonly sha256: Sha256Digest
  readonly clock: Clock
  readonly random: RandomSource
  readonly jwtSigner: JwtSigner
  readonly eventPublisher: EventPublisher | null
  readonly signingKeys: SigningKeyCache
  /** Which clients are revoked, for refusing their tokens without a storage read per check. */
  readonly clientRevocations: ClientRevocationCache
  /** Encrypts private signing keys for storage and decrypts them to sign. */
  readonly signingKeyEncryption: SigningKeyEncryption
  readonly onEventPublishFailed: (error: unknown, events: readonly OAuthEvent[]) => void
}
