// What a browser takes from the pages and redirects of the flow: the consent form's fields, the
// session cookie, the authorization response at the redirect URI.

/**
 * The consent page's ticket and form actions, as a browser reads the attributes (character
 * references decoded), or null when the page has no such form.
 * @param {string} page
 */
export function readConsentForm(page) {
  /** @param {RegExp} pattern */
  const attribute = (pattern) =>
    (pattern.exec(page)?.[1] ?? '').replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
  const ticket = attribute(/name="ticket" value="([^"]+)"/)
  const approvePath = attribute(/<form method="post" action="([^"]+approve[^"]*)"/)
  const denyPath = attribute(/<form method="post" action="([^"]+deny[^"]*)"/)
  return ticket && approvePath && denyPath ? { ticket, approvePath, denyPath } : null
}

/**
 * The `sid` cookie a response set, as `sid=…` for a Cookie header, or null.
 * @param {Headers} headers
 */
export function sessionCookie(headers) {
  const set = headers.getSetCookie().find((cookie) => cookie.startsWith('sid='))
  return set?.split(';')[0] ?? null
}

/**
 * The parameters of an authorization response redirect (RFC 6749 §4.1.2), or null when the
 * `Location` does not lead to `redirectUri`.
 * @param {Headers} headers @param {string} redirectUri
 */
export function authorizationResponse(headers, redirectUri) {
  const location = headers.get('location')
  if (location === null) return null
  const url = new URL(location, 'http://relative.invalid')
  return `${url.origin}${url.pathname}` === redirectUri ? url.searchParams : null
}
