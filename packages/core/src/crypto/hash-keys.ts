import { ConfigurationError } from '../errors/configuration-error.js'

/** A named HMAC key. */
export interface HashKey {
  readonly id: string
  /** At least 32 bytes of secret material, as a string (e.g. 64 hex characters) or bytes. */
  readonly secret: string | Uint8Array
}

/** Options of an HMAC secret hasher. */
export interface HmacSecretHasherOptions {
  /** Every key still accepted. Hashes are made with `currentKeyId`. */
  readonly keys: readonly HashKey[]
  /** Defaults to the first key. */
  readonly currentKeyId?: string
}

export const MIN_HASH_KEY_BYTES = 32

/**
 * Checks the options and returns the key bytes by id, current key first. `path` names the option
 * in problems (`hashKeys`, or `signingKeyEncryption` for key-encryption keys of the same shape).
 */
export function resolveHashKeys(
  options: HmacSecretHasherOptions,
  path = 'hashKeys',
): {
  readonly currentKeyId: string
  readonly keys: ReadonlyMap<string, Uint8Array>
} {
  const problems: string[] = []
  const keys = new Map<string, Uint8Array>()
  if (options.keys.length === 0) problems.push(`${path}.keys: at least one key is required`)
  options.keys.forEach((key, index) => {
    const bytes = typeof key.secret === 'string' ? new TextEncoder().encode(key.secret) : key.secret
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(key.id)) {
      problems.push(`${path}.keys[${index}].id: use 1-64 letters, digits, '.', '_' or '-'`)
    } else if (keys.has(key.id)) {
      problems.push(`${path}.keys[${index}].id: "${key.id}" is used twice`)
    }
    if (bytes.length < MIN_HASH_KEY_BYTES) {
      problems.push(`${path}.keys[${index}].secret: must be at least ${MIN_HASH_KEY_BYTES} bytes`)
    }
    keys.set(key.id, bytes)
  })
  const currentKeyId = options.currentKeyId ?? options.keys[0]?.id ?? ''
  if (options.keys.length > 0 && !keys.has(currentKeyId)) {
    problems.push(`${path}.currentKeyId: "${currentKeyId}" is not one of the keys`)
  }
  if (problems.length > 0) throw new ConfigurationError(problems)
  const ordered = new Map([[currentKeyId, keys.get(currentKeyId)!], ...keys])
  return { currentKeyId, keys: ordered }
}
