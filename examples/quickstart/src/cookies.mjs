// Signed cookies for the demo login session and the demo partner app's PKCE state. Stateless: the
// value is JSON with an expiry, MAC'd with HMAC-SHA-256 under a key kept in the data directory, so
// a restart (or a second instance with the same key) keeps people signed in. A real application
// keeps its own session mechanism; the OAuth server only asks it who is signed in.
import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * @typedef {object} CookieOptions
 * @property {string} path
 * @property {number} maxAgeSeconds
 * @property {boolean} secure Set the `Secure` attribute (when the site is served over https).
 */

/**
 * The cookies of a request, by name. A repeated name keeps its first value (the most specific
 * path, as browsers send them).
 *
 * @param {string | undefined} header
 * @returns {Map<string, string>}
 */
export function parseCookies(header) {
  const cookies = new Map()
  for (const pair of (header ?? '').split(';')) {
    const index = pair.indexOf('=')
    if (index < 0) continue
    const name = pair.slice(0, index).trim()
    if (name === '' || cookies.has(name)) continue
    let value = pair.slice(index + 1).trim()
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    try {
      cookies.set(name, decodeURIComponent(value))
    } catch {
      // A value that is not valid percent-encoding is not one of ours: ignore it.
    }
  }
  return cookies
}

/**
 * Signs and checks cookie values with one HMAC key.
 *
 * @param {string} key at least 32 characters of secret material
 */
export function createCookieSigner(key) {
  /** @param {string} payload */
  const mac = (payload) => createHmac('sha256', key).update(payload).digest('base64url')

  return {
    /**
     * A `Set-Cookie` header value holding `data`, signed, expiring after `maxAgeSeconds`.
     *
     * @param {string} name
     * @param {Record<string, unknown>} data
     * @param {CookieOptions} options
     * @returns {string}
     */
    serialize(name, data, options) {
      const expires = Math.floor(Date.now() / 1000) + options.maxAgeSeconds
      const payload = Buffer.from(JSON.stringify({ ...data, exp: expires })).toString('base64url')
      // The name is part of what is signed, so a value cannot be moved to another cookie.
      const value = `${payload}.${mac(`${name}.${payload}`)}`
      return cookieHeader(name, value, options)
    },

    /**
     * The data of a cookie that verifies and has not expired, or `null`.
     *
     * @param {Map<string, string>} cookies
     * @param {string} name
     * @returns {Record<string, unknown> | null}
     */
    read(cookies, name) {
      const value = cookies.get(name)
      if (value === undefined) return null
      const [payload, signature, extra] = value.split('.')
      if (payload === undefined || signature === undefined || extra !== undefined) return null
      const expected = Buffer.from(mac(`${name}.${payload}`))
      const given = Buffer.from(signature)
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
      try {
        const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
        if (typeof data !== 'object' || data === null || typeof data.exp !== 'number') return null
        return data.exp > Date.now() / 1000 ? data : null
      } catch {
        return null
      }
    },
  }
}

/**
 * A `Set-Cookie` value that deletes the cookie.
 *
 * @param {string} name
 * @param {Omit<CookieOptions, 'maxAgeSeconds'>} options
 * @returns {string}
 */
export function clearCookie(name, options) {
  return cookieHeader(name, '', { ...options, maxAgeSeconds: 0 })
}

/**
 * @param {string} name
 * @param {string} value
 * @param {CookieOptions} options
 */
function cookieHeader(name, value, { path, maxAgeSeconds, secure }) {
  const attributes = [
    `${name}=${value}`,
    `Path=${path}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
  ]
  if (secure) attributes.push('Secure')
  return attributes.join('; ')
}
