import { OAuthError } from '../../errors/oauth-error.js'

/** A `%` not followed by two hex digits. */
const BROKEN_ESCAPE = /%(?![0-9A-Fa-f]{2})/
/** Bytes a URL carries only percent-encoded: controls, space, and anything beyond ASCII. */
const RAW_UNSAFE = /[^\x21-\x7e]/

/** Parameters as `readParameters` takes them: a repeated name keeps every value, so it is refused there. */
export type RawParameters = Readonly<Record<string, string | readonly string[]>>

/**
 * Parses a query string or form body strictly: a broken `%` escape, an escape that decodes to
 * invalid UTF-8, or a raw byte that should have been escaped is `invalid_request`, not silently
 * replaced (as `URLSearchParams` would), so what the client meant is never guessed.
 *
 * @throws OAuthError `invalid_request`
 */
export function parseUrlEncoded(text: string, where: 'query' | 'body'): RawParameters {
  const parameters: Record<string, string | string[]> = Object.create(null)
  if (text === '') return parameters
  if (RAW_UNSAFE.test(text)) throw malformed(where)
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const split = pair.indexOf('=')
    const name = decodeComponent(split === -1 ? pair : pair.slice(0, split), where)
    const value = split === -1 ? '' : decodeComponent(pair.slice(split + 1), where)
    const existing = parameters[name]
    if (existing === undefined) parameters[name] = value
    else parameters[name] = [...(Array.isArray(existing) ? existing : [existing]), value]
  }
  return parameters
}

function decodeComponent(component: string, where: 'query' | 'body'): string {
  // Most names and many values need no decoding at all: skip the work on the hot path.
  if (!component.includes('%') && !component.includes('+')) return component
  if (BROKEN_ESCAPE.test(component)) throw malformed(where)
  try {
    return decodeURIComponent(component.replaceAll('+', ' '))
  } catch {
    throw malformed(where)
  }
}

/** The `invalid_request` of a query string or body that is not valid percent-encoded UTF-8. */
export function malformed(where: 'query' | 'body'): OAuthError {
  return OAuthError.invalidRequest({
    description: `The ${where === 'query' ? 'query string' : 'request body'} is not valid percent-encoded UTF-8.`,
  })
}
