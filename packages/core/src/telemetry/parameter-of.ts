import type { ParameterInput } from '../use-cases/internal/parameters.js'
import { parseUrlEncoded } from '../use-cases/internal/url-encoded.js'

/**
 * One parameter of a raw query string or parameter input, as sent, before any use case checked
 * it; `undefined` when absent or unreadable (the use case then refuses the request anyway).
 */
export function parameterOf(input: string | ParameterInput | undefined, name: string): unknown {
  if (input === undefined || input === null) return undefined
  if (input instanceof URLSearchParams) return input.get(name) ?? undefined
  if (typeof input === 'string') {
    try {
      return parseUrlEncoded(input.startsWith('?') ? input.slice(1) : input, 'query')[name]
    } catch {
      return undefined
    }
  }
  return input[name]
}
