/** Every default, in one place. Units are in the names. */
export const DEFAULTS = {
  authCodeTtlMinutes: 5,
  accessTokenTtlMinutes: 60,
  refreshTokenTtlDays: 30,
  refreshTokenReuseGraceSeconds: 10,
  refreshTokenFamilyLifetimeDays: null,
  clientCacheSeconds: 30,
  /** RFC 9700 §2.1.1, OAuth 2.1: every client, confidential ones too, sends a PKCE challenge. */
  pkceRequiredFor: 'all-clients',
  /** RFC 9700 §2.1.1: `plain` protects nothing once the request leaks; only S256 by default. */
  pkceAllowPlain: false,
  accessTokenFormat: 'opaque',
  accessTokenPrefix: 'spoat_',
  refreshTokenPrefix: 'sport_',
  jwtSigningAlgorithm: 'ES256',
  jwtCheckRevocation: true,
  signingKeyCacheSeconds: 30,
  realm: 'oauth',
} as const
