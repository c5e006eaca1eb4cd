/** The grants sp-oauth implements. */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const

/** A grant type a client may be allowed (RFC 6749 §1.3). */
export type GrantType = (typeof GRANT_TYPES)[number]

export function isGrantType(value: string): value is GrantType {
  return (GRANT_TYPES as readonly string[]).includes(value)
}
