import { generateSigningKeyPair } from '../../crypto/generate-signing-key.js'
import type { SigningKeyRecord } from '../../domain/signing-key.js'
import type { ServerContext } from './server-context.js'

/**
 * The key to sign new access tokens with: `null` for opaque tokens. Call it before the unit of
 * work, since creating a first key runs a unit of work of its own.
 */
export async function signingKeyForIssuance(context: ServerContext): Promise<SigningKeyRecord | null> {
  return context.config.accessTokenFormat === 'jwt' ? ensureActiveSigningKey(context) : null
}

/**
 * The key JWT access tokens are signed with. When none is active yet, one is generated and stored
 * (in its own unit of work), so a server configured for JWTs works from its first token.
 */
export async function ensureActiveSigningKey(context: ServerContext): Promise<SigningKeyRecord> {
  const active = await context.signingKeys.activeKey()
  if (active) return active
  const created = await createSigningKey(context)
  context.signingKeys.invalidate()
  return created
}

/**
 * Generates a new active key and stores it with its private part encrypted (see
 * `SigningKeyEncryption`); returns it with the private part in clear, to sign with at once. The
 * caller decides what happens to older keys.
 */
export async function createSigningKey(context: ServerContext): Promise<SigningKeyRecord> {
  const now = context.clock.now()
  const algorithm = context.config.jwtSigningAlgorithm
  const { publicJwk, privateJwk } = await generateSigningKeyPair(algorithm)
  const kid = context.random.uuid()
  const record: SigningKeyRecord = {
    kid,
    algorithm,
    state: 'active',
    publicJwk: { ...publicJwk, kid, alg: algorithm, use: 'sig' },
    privateJwk: { ...privateJwk, kid, alg: algorithm },
    createdAt: now,
    updatedAt: now,
  }
  const stored: SigningKeyRecord = {
    ...record,
    privateJwk: await context.signingKeyEncryption.encrypt(kid, record.privateJwk),
  }
  await context.storage.unitOfWork.run((repositories) => repositories.signingKeys.insert(stored))
  return record
}
