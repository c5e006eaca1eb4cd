import { ConfigurationError } from '../errors/configuration-error.js'

/** A named HMAC key. */
export interface HashKey {
  readonly id: string
  /** At least 32 bytes of secret material, as a string (e.g. 64 hex characters) or bytes. */
  readonly secret: string | Uint8Array
}

/** The named HMAC keys secrets, codes and tokens are hashed with: what `webCrypto` and `nodeCrypto` take. */
export interface HashKeys {
  /** Every key still accepted. Hashes are made with `currentKeyId`. */
  readonly keys: readonly HashKey[]
  /** Defaults to the first key. */
  readonly currentKeyId?: string
}

export const MIN_HASH_KEY_BYTES = 32

/**
 * Checks the options and returns the key bytes by id, current key first. `path` names the option
 * in problems (`crypto`, or `signingKeyEncryption` for key-encryption keys of the same shape).
 */
export function resolveHashKeys(
  options: HashKeys,
  path = 'crypto',
): {
  readonly currentKeyId: string
  readonly keys: ReadonlyMap<string, Uint8Array>
} {
  const problems: string[] = []
  const keys = new Map<string, Uint8Array>()
  // Checked as untyped input: a secret from an unset environment variable arrives as `undefined`.
  const given: readonly HashKey[] = Array.isArray(options?.keys) ? options.keys : []
  if (given.length === 0) problems.push(`${path}.keys: at least one key is required`)
  given.forEach((key, index) => {
    const bytes = secretBytes(key?.secret)
    if (bytes === null) {
      problems.push(
        `${path}.keys[${index}].secret: must be a string or bytes, got ${typeName(key?.secret)} (is the variable it is read from set?)`,
      )
      return
    }
    if (typeof key.id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(key.id)) {
      problems.push(`${path}.keys[${index}].id: use 1-64 letters, digits, '.', '_' or '-'`)
    } else if (keys.has(key.id)) {
      problems.push(`${path}.keys[${index}].id: "${key.id}" is used twice`)
    }
    if (bytes.length < MIN_HASH_KEY_BYTES) {
      problems.push(`${path}.keys[${index}].secret: must be at least ${MIN_HASH_KEY_BYTES} bytes`)
    }
    keys.set(key.id, bytes)
  })
  const currentKeyId = options?.currentKeyId ?? given[0]?.id ?? ''
  if (given.length > 0 && !given.some((key) => key?.id === currentKeyId)) {
    problems.push(`${path}.currentKeyId: "${currentKeyId}" is not one of the keys`)
  }
  if (problems.length > 0) throw new ConfigurationError(problems)
  const ordered = new Map([[currentKeyId, keys.get(currentKeyId)!], ...keys])
  return { currentKeyId, keys: ordered }
}

function secretBytes(secret: unknown): Uint8Array | null {
  if (typeof secret === 'string') return new TextEncoder().encode(secret)
  return secret instanceof Uint8Array ? secret : null
}

function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value
}
