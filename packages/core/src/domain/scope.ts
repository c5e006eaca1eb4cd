/** A scope token: printable ASCII without space, `"` or `\` (RFC 6749 §3.3). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value)
}

/**
 * Parses a space-delimited `scope` parameter into a sorted set of scope tokens. Returns `null`
 * when the value is malformed (a bad character, or repeated or leading/trailing spaces).
 *
 * @see RFC 6749 §3.3
 */
export function parseScope(value: string): readonly string[] | null {
  if (value === '') return []
  const parts = value.split(' ')
  if (!parts.every(isScopeToken)) return null
  return normalizeScopes(parts)
}

/** Deduplicates and sorts, so equal scope sets compare equal. */
export function normalizeScopes(scopes: Iterable<string>): readonly string[] {
  return [...new Set(scopes)].sort()
}

/** The wire form: space-delimited. */
export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ')
}

export function isScopeSubset(subset: readonly string[], superset: readonly string[]): boolean {
  const allowed = new Set(superset)
  return subset.every((scope) => allowed.has(scope))
}

export function scopesMissingFrom(
  required: readonly string[],
  granted: readonly string[],
): readonly string[] {
  const present = new Set(granted)
  return required.filter((scope) => !present.has(scope))
}
