import { hasControlCharacter } from '../../domain/control-characters.js'
import { OAuthError } from '../../errors/oauth-error.js'

/**
 * Request parameters as an adapter hands them over: `URLSearchParams`, or a record whose values are
 * a string or, for a parameter that appeared more than once, an array.
 */
export type ParameterInput = URLSearchParams | Readonly<Record<string, unknown>>

/** Longer values are refused: no OAuth parameter needs more, and they would be echoed or stored. */
export const MAX_PARAMETER_LENGTH = 4096

/**
 * Reads parameters into a map, refusing any that appears more than once (RFC 6749 §3.1), any value
 * that is not a string, is longer than {@link MAX_PARAMETER_LENGTH} or holds a control character
 * (a NUL byte would be cut or refused by some databases). An empty value counts as absent
 * (RFC 6749 §3.1).
 */
export function readParameters(input: ParameterInput | undefined): ReadonlyMap<string, string> {
  const parameters = new Map<string, string>()
  if (input === undefined) return parameters
  const entries: Iterable<[string, unknown]> =
    input instanceof URLSearchParams ? input : Object.entries(input)
  const seen = new Set<string>()
  for (const [name, raw] of entries) {
    if (raw === undefined) continue
    if (seen.has(name) || Array.isArray(raw)) {
      throw OAuthError.invalidRequest({
        description: `The ${safeName(name)} parameter must not be repeated.`,
      })
    }
    seen.add(name)
    if (typeof raw !== 'string') {
      throw OAuthError.invalidRequest({ description: `The ${safeName(name)} parameter must be a string.` })
    }
    if (raw.length > MAX_PARAMETER_LENGTH) {
      throw OAuthError.invalidRequest({ description: `The ${safeName(name)} parameter is too long.` })
    }
    if (hasControlCharacter(raw)) {
      throw OAuthError.invalidRequest({
        description: `The ${safeName(name)} parameter holds a control character.`,
      })
    }
    if (raw !== '') parameters.set(name, raw)
  }
  return parameters
}

/** A parameter that must be present. */
export function requireParameter(parameters: ReadonlyMap<string, string>, name: string): string {
  const value = parameters.get(name)
  if (value === undefined)
    throw OAuthError.invalidRequest({ description: `The ${name} parameter is required.` })
  return value
}

/** Parameter names come from the client: keep them short and printable before echoing them back. */
function safeName(name: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(name) ? name : 'same'
}
