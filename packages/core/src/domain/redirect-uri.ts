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

/**
 * A requested redirect URI matches only a registered one, character for character: no prefix,
 * port, case or query variants (RFC 9700 §4.1.3).
 */
export function matchRedirectUri(requested: string, registered: readonly string[]): boolean {
  return registered.includes(requested)
}
