const HOW_TO = 'pass webCrypto({ keys }) from @sp-oauth/core or nodeCrypto({ keys }) from @sp-oauth/core/node'

const REQUIRED_METHODS = {
  secretHasher: ['hash', 'hashWithKey', 'verify'],
  sha256Digest: ['base64Url'],
  randomSource: ['bytes', 'uuid'],
} as const

/**
 * What is wrong with the `crypto` option, checked as untyped input: JavaScript callers reach here
 * with nothing at all, or with the parts of a hand-made object missing.
 */
export function serverCryptoProblems(crypto: unknown): string[] {
  if (typeof crypto !== 'object' || crypto === null) return [`crypto: required; ${HOW_TO}`]
  const problems: string[] = []
  for (const [part, methods] of Object.entries(REQUIRED_METHODS)) {
    const value = (crypto as Record<string, unknown>)[part] as Record<string, unknown> | undefined
    const missing = methods.filter((method) => typeof value?.[method] !== 'function')
    if (missing.length > 0) problems.push(`crypto.${part}: needs ${missing.join(', ')}; ${HOW_TO}`)
  }
  const hasher = (crypto as { secretHasher?: { currentKeyId?: unknown; keyIds?: unknown } }).secretHasher
  if (hasher && !(Array.isArray(hasher.keyIds) && hasher.keyIds.includes(hasher.currentKeyId))) {
    problems.push('crypto.secretHasher: keyIds must include currentKeyId')
  }
  return problems
}
