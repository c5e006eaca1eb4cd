import { OAuthError } from '../errors/oauth-error.js'

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded'
/** A `%` not followed by two hex digits. */
const BROKEN_ESCAPE = /%(?![0-9A-Fa-f]{2})/
/** Bytes a URL carries only percent-encoded: controls, space, and anything beyond ASCII. */
const RAW_UNSAFE = /[^\x21-\x7e]/
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

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

/**
 * Reads a form body: the media type must be `application/x-www-form-urlencoded` (any `charset`
 * must be UTF-8), the bytes valid UTF-8, and the encoding strict (see {@link parseUrlEncoded}).
 *
 * @throws OAuthError `invalid_request`
 * @see RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1
 */
export function parseFormBody(contentType: string | undefined, body: Uint8Array | null): RawParameters {
  const [mediaType = '', ...mediaParameters] = (contentType ?? '').split(';')
  if (mediaType.trim().toLowerCase() !== FORM_MEDIA_TYPE) {
    throw OAuthError.invalidRequest({ description: `The request body must be ${FORM_MEDIA_TYPE}.` })
  }
  for (const parameter of mediaParameters) {
    const [name = '', value = ''] = parameter.split('=')
    if (name.trim().toLowerCase() === 'charset' && !/^"?utf-8"?$/i.test(value.trim())) {
      throw OAuthError.invalidRequest({ description: 'The request body must be UTF-8.' })
    }
  }
  let text: string
  try {
    text = strictUtf8.decode(body ?? new Uint8Array())
  } catch {
    throw malformed('body')
  }
  return parseUrlEncoded(text, 'body')
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

function malformed(where: 'query' | 'body'): OAuthError {
  return OAuthError.invalidRequest({
    description: `The ${where === 'query' ? 'query string' : 'request body'} is not valid percent-encoded UTF-8.`,
  })
}
