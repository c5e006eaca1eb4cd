/**
 * The redirect back to the client: `params` added to the registered redirect URI, keeping its own
 * query (RFC 6749 §3.1.2), plus `iss` so the client can tell which server answered (RFC 9207).
 */
export function authorizationResponseUrl(
  redirectUri: string,
  params: Readonly<Record<string, string | null>>,
  issuer: string,
): string {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(params)) {
    if (value !== null) url.searchParams.set(name, value)
  }
  url.searchParams.set('iss', issuer)
  return url.toString()
}
