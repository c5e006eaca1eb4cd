import { base64UrlEncode } from '../domain/pkce.js'
import type { JsonWebKey } from '../domain/signing-key.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { SpOAuthError } from '../errors/sp-oauth-error.js'
import type { SecretHasher } from '../ports/secret-hasher.js'
import type { HashKeys } from './hash-keys.js'
import { resolveHashKeys } from './hash-keys.js'

/**
 * Key-encryption keys (KEKs) for private signing keys: named, at least 32 bytes each, rotated like
 * the hash keys (new keys are encrypted under `currentKeyId`, older KEKs still decrypt while they
 * are listed).
 */
export type SigningKeyEncryptionOptions = HashKeys

/**
 * A private JWK as stored: AES-256-GCM ciphertext of its JSON under the KEK `kek`, with the key's
 * `kid` as additional authenticated data (so a ciphertext moved to another key fails).
 */
export interface EncryptedPrivateJwk {
  readonly enc: typeof ENCRYPTION
  readonly kek: string
  readonly iv: string
  readonly ct: string
}

/** Encrypts private signing keys before they are stored, and decrypts them to sign. */
export interface SigningKeyEncryption {
  /** The id of the KEK new keys are encrypted under. */
  readonly currentKeyId: string
  /** The stored form of `privateJwk`: encrypted under the current KEK. */
  encrypt(kid: string, privateJwk: JsonWebKey): Promise<JsonWebKey>
  /**
   * The private JWK of a stored one; a key stored before encryption existed (a plain JWK) is
   * returned as it is.
   *
   * @throws ConfigurationError when its KEK is not configured (any more)
   * @throws SpOAuthError when the ciphertext does not decrypt (altered, or moved to another kid)
   */
  decrypt(kid: string, stored: JsonWebKey): Promise<JsonWebKey>
  /** Whether the stored form is not encrypted under the current KEK (plain, or an older KEK). */
  needsReencryption(stored: JsonWebKey): boolean
}

const ENCRYPTION = 'A256GCM'
/** Ids of KEKs derived from the hash keys; own KEK ids cannot contain `:`. */
const DERIVED_PREFIX = 'hashKeys:'
/** What a KEK is derived from its secret with (HMAC-SHA-256); the NUL keeps it out of any token format. */
const DERIVATION_LABEL = 'sp-oauth signing-key encryption v1\u0000'

export function isEncryptedPrivateJwk(stored: JsonWebKey): boolean {
  return stored.enc === ENCRYPTION && typeof stored.kek === 'string' && !('kty' in stored)
}

/**
 * Signing-key encryption with AES-256-GCM through Web Crypto. Each KEK is HMAC-SHA-256(secret,
 * label). By default the KEKs are derived from the hash keys through `hasher` (ids
 * `hashKeys:<hash key id>`), so a copy of the database alone never holds a usable private key and
 * no new secret is needed; with `own` keys, new keys are encrypted under `own.currentKeyId`, and
 * keys encrypted under a hash-key KEK still decrypt while that hash key is configured.
 *
 * @throws ConfigurationError when `own` is invalid
 */
export function createSigningKeyEncryption(input: {
  readonly hasher: SecretHasher
  readonly own?: SigningKeyEncryptionOptions | undefined
}): SigningKeyEncryption {
  const own = input.own === undefined ? null : resolveHashKeys(input.own, 'signingKeyEncryption')
  const { hasher } = input
  const currentKeyId = own ? own.currentKeyId : `${DERIVED_PREFIX}${hasher.currentKeyId}`
  const keks = new Map<string, Promise<CryptoKey>>()
  const encoder = new TextEncoder()

  function kek(id: string): Promise<CryptoKey> {
    let found = keks.get(id)
    if (!found) {
      found = deriveKek(id)
      // A failed derivation must not stick.
      found.catch(() => keks.delete(id))
      keks.set(id, found)
    }
    return found
  }

  async function deriveKek(id: string): Promise<CryptoKey> {
    let material: Uint8Array
    const ownSecret = own?.keys.get(id)
    if (ownSecret) {
      const hmac = await crypto.subtle.importKey(
        'raw',
        ownSecret as Uint8Array<ArrayBuffer>,
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      )
      material = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, encoder.encode(DERIVATION_LABEL)))
    } else if (id.startsWith(DERIVED_PREFIX) && hasher.keyIds.includes(id.slice(DERIVED_PREFIX.length))) {
      material = base64UrlDecode(await hasher.hashWithKey(DERIVATION_LABEL, id.slice(DERIVED_PREFIX.length)))
    } else {
      throw new ConfigurationError([
        `signingKeyEncryption: a signing key is encrypted under the key-encryption key "${id}", which is not configured; configure it again (or the hash key it derives from) to sign`,
      ])
    }
    return crypto.subtle.importKey('raw', material as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ])
  }

  return {
    currentKeyId,
    async encrypt(kid, privateJwk) {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const ciphertext = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(kid) },
        await kek(currentKeyId),
        encoder.encode(JSON.stringify(privateJwk)),
      )
      return {
        enc: ENCRYPTION,
        kek: currentKeyId,
        iv: base64UrlEncode(iv),
        ct: base64UrlEncode(new Uint8Array(ciphertext)),
      } satisfies EncryptedPrivateJwk
    },
    async decrypt(kid, stored) {
      if (!isEncryptedPrivateJwk(stored)) return stored
      const key = await kek(stored.kek as string)
      let plaintext: ArrayBuffer
      try {
        plaintext = await crypto.subtle.decrypt(
          {
            name: 'AES-GCM',
            iv: base64UrlDecode(String(stored.iv)) as Uint8Array<ArrayBuffer>,
            additionalData: encoder.encode(kid),
          },
          key,
          base64UrlDecode(String(stored.ct)) as Uint8Array<ArrayBuffer>,
        )
      } catch (error) {
        throw new SpOAuthError(`The private part of signing key "${kid}" does not decrypt.`, { cause: error })
      }
      return JSON.parse(new TextDecoder().decode(plaintext)) as JsonWebKey
    },
    needsReencryption(stored) {
      return !isEncryptedPrivateJwk(stored) || stored.kek !== currentKeyId
    },
  }
}

/** Base64url (RFC 4648 §5, with or without padding) to bytes. */
function base64UrlDecode(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
