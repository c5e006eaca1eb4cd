import type { JsonWebKey, SigningKeyRecord, SigningKeyState } from '../domain/signing-key.js'
import { OAuthError } from '../errors/oauth-error.js'
import { createSigningKey } from './internal/ensure-active-signing-key.js'
import type { ServerContext } from './internal/server-context.js'
import { addMinutes } from './internal/time.js'

/** A signing key as the application sees it: no private part. */
export interface SigningKeyInfo {
  readonly kid: string
  readonly algorithm: string
  readonly state: SigningKeyState
  readonly createdAt: Date
}

function info(key: SigningKeyRecord): SigningKeyInfo {
  return { kid: key.kid, algorithm: key.algorithm, state: key.state, createdAt: key.createdAt }
}

/**
 * Makes a new active key: the active one becomes `previous` (it still verifies the tokens it
 * signed), and previous keys older than the access token lifetime are retired, since every token
 * they signed has expired.
 */
export async function rotateSigningKey(context: ServerContext): Promise<SigningKeyInfo> {
  const now = context.clock.now()
  const { repositories } = context.storage
  const existing = await repositories.signingKeys.listByState(['active', 'previous'])
  const created = await createSigningKey(context)
  await context.storage.unitOfWork.run(async (transaction) => {
    for (const key of existing) {
      const expired =
        addMinutes(key.updatedAt, context.config.accessTokenTtlMinutes).getTime() <= now.getTime()
      if (key.state === 'active') await transaction.signingKeys.updateState(key.kid, 'previous', now)
      else if (expired) await transaction.signingKeys.updateState(key.kid, 'retired', now)
    }
  })
  context.signingKeys.invalidate()
  return info(created)
}

/** Retires a key: tokens it signed stop verifying. */
export function retireSigningKey(context: ServerContext, kid: string): Promise<SigningKeyInfo> {
  return setState(context, kid, 'retired')
}

/**
 * Marks a key compromised: tokens it signed fail at once on this instance (within
 * `jwt.signingKeyCacheSeconds` on others). If it was the active key, a new one is made on the next
 * issuance.
 */
export function markSigningKeyCompromised(context: ServerContext, kid: string): Promise<SigningKeyInfo> {
  return setState(context, kid, 'compromised')
}

async function setState(
  context: ServerContext,
  kid: string,
  state: SigningKeyState,
): Promise<SigningKeyInfo> {
  const now = context.clock.now()
  const updated = await context.storage.unitOfWork.run((repositories) =>
    repositories.signingKeys.updateState(kid, state, now),
  )
  context.signingKeys.invalidate()
  if (!updated) throw OAuthError.invalidRequest({ description: 'No signing key has this kid.' })
  return info(updated)
}

/**
 * Stores every signing key (any state) that is not encrypted under the current key-encryption key
 * (see `signingKeyEncryption`) encrypted under it: keys stored in clear before encryption existed,
 * and keys under an older KEK, which can be dropped from the configuration afterwards. Returns how
 * many keys it re-encrypted; a second call returns 0. Safe to run on several instances at once.
 *
 * @throws ConfigurationError when a key is encrypted under a KEK that is not configured
 */
export async function reencryptSigningKeys(
  context: ServerContext,
): Promise<{ readonly reencrypted: number }> {
  const encryption = context.signingKeyEncryption
  const keys = await context.storage.repositories.signingKeys.listByState([
    'active',
    'previous',
    'retired',
    'compromised',
  ])
  let reencrypted = 0
  for (const key of keys) {
    if (!encryption.needsReencryption(key.privateJwk)) continue
    const privateJwk = await encryption.encrypt(key.kid, await encryption.decrypt(key.kid, key.privateJwk))
    await context.storage.unitOfWork.run((repositories) =>
      repositories.signingKeys.updatePrivateJwk(key.kid, privateJwk),
    )
    reencrypted++
  }
  context.signingKeys.invalidate()
  return { reencrypted }
}

/** Every key in the given states, newest first, without private parts. */
export async function listSigningKeys(
  context: ServerContext,
  states: readonly SigningKeyState[] = ['active', 'previous', 'retired', 'compromised'],
): Promise<readonly SigningKeyInfo[]> {
  return (await context.storage.repositories.signingKeys.listByState(states)).map(info)
}

/**
 * The JSON Web Key Set resource servers verify JWT access tokens with: the active key and the
 * previous ones, public parts only. Served from this instance's signing-key cache (at most one
 * storage read per `jwt.signingKeyCacheSeconds`); a rotation through this instance shows at once.
 *
 * @see RFC 7517 §5
 */
export async function getJwks(context: ServerContext): Promise<{ readonly keys: readonly JsonWebKey[] }> {
  const keys = await context.signingKeys.verificationKeys()
  return { keys: keys.map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.algorithm, use: 'sig' })) }
}
