import type { ApplicationType } from './client.js'
import { hasControlCharacter } from './control-characters.js'

/**
 * Checks a redirect URI a client registers: absolute, no fragment (RFC 6749 §3.1.2), and either
 * HTTPS, plain HTTP on a loopback host (native apps, RFC 8252 §7.3), or a private-use scheme with
 * a dot, such as `com.example.app:/cb` (RFC 8252 §7.1). White space and control characters are
 * refused: `new URL` would quietly drop them, and the raw string is what gets stored and matched.
 * Returns the problem, or `null` if fine.
 */
export function redirectUriProblem(uri: string): string | null {
  if (/\s/.test(uri) || hasControlCharacter(uri)) return 'must not contain white space or control characters'
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'must be an absolute URI'
  }
  if (url.hash !== '' || uri.includes('#')) return 'must not contain a fragment'
  if (url.username !== '' || url.password !== '') return 'must not contain credentials'
  if (url.protocol === 'https:') return null
  if (url.protocol === 'http:') {
    return isLoopback(url.hostname) ? null : 'must use https (http is allowed only on loopback hosts)'
  }
  const scheme = url.protocol.slice(0, -1)
  if (/^(javascript|data|vbscript|file|blob)$/i.test(scheme)) return `must not use the ${scheme} scheme`
  return scheme.includes('.') ? null : 'a private-use scheme must be a reverse domain name (RFC 8252 §7.1)'
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost'
}

/** `http://127.0.0.1` or `http://[::1]` with a port, then a path or query or nothing. */
const LOOPBACK_WITH_PORT = /^(http:\/\/(?:127\.0\.0\.1|\[::1\]))(?::([1-9]\d{0,4}))?(?=[/?]|$)/

/** Options of {@link matchRedirectUri}. */
export interface RedirectUriMatchOptions {
  /** The client's application type. Default `web`: exact match only. */
  readonly applicationType?: ApplicationType
}

/**
 * A requested redirect URI matches only a registered one, character for character: no prefix,
 * case, query or port variants (RFC 9700 §4.1.3), with one exception for `native` clients only: a
 * loopback IP URI (`http://127.0.0.1` or `http://[::1]`) may name any port, since the app listens
 * on whatever port is free at the time (RFC 8252 §7.3). Everything else of such a URI still
 * matches exactly. For a `web` client the port is never free: any local process could listen on
 * another port and take the authorization response.
 */
export function matchRedirectUri(
  requested: string,
  registered: readonly string[],
  options: RedirectUriMatchOptions = {},
): boolean {
  if (registered.includes(requested)) return true
  if (options.applicationType !== 'native') return false
  const portless = withoutLoopbackPort(requested)
  return portless !== null && registered.some((uri) => withoutLoopbackPort(uri) === portless)
}

/** A loopback IP URI with its port taken out; `null` for any other URI or an impossible port. */
function withoutLoopbackPort(uri: string): string | null {
  const match = LOOPBACK_WITH_PORT.exec(uri)
  if (!match) return null
  if (match[2] !== undefined && Number(match[2]) > 65535) return null
  return match[1] + uri.slice(match[0].length)
}
