import { OAuthError } from '../errors/oauth-error.js'
import { malformed, parseUrlEncoded, type RawParameters } from '../use-cases/internal/url-encoded.js'

export { parseUrlEncoded, type RawParameters }

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded'
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

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
