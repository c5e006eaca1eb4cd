// Client-side helpers, as a client application would write them (the seed's generatePkce).

/**
 * Base64url without padding (RFC 4648 §5), as PKCE and OAuth tokens use it.
 *
 * @param {Uint8Array} bytes
 */
function base64Url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** A random code verifier (86 characters from 64 random bytes) and its S256 challenge (RFC 7636 §4.1-4.2). */
export async function generatePkce() {
  const codeVerifier = base64Url(crypto.getRandomValues(new Uint8Array(64)))
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier))
  return { codeVerifier, codeChallenge: base64Url(new Uint8Array(hash)) }
}

/** An anti-CSRF `state` the client keeps and checks on the way back. */
export function randomState() {
  return base64Url(crypto.getRandomValues(new Uint8Array(16)))
}
