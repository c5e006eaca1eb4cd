/** Every default, in one place. Units are in the names. */
export const DEFAULTS = {
  routePrefix: 'oauth',
  authCodeTtlMinutes: 5,
  accessTokenTtlMinutes: 60,
  refreshTokenTtlDays: 30,
  refreshTokenReuseGraceSeconds: 10,
  refreshTokenFamilyLifetimeDays: null,
  pkceRequiredFor: 'public-clients',
  pkceAllowPlain: true,
  accessTokenFormat: 'opaque',
  accessTokenPrefix: 'spoat_',
  refreshTokenPrefix: 'sport_',
  jwtSigningAlgorithm: 'ES256',
  jwtCheckRevocation: true,
  signingKeyCacheSeconds: 30,
  realm: 'oauth',
} as const
