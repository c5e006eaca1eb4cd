import { resolveHashKeys } from '../crypto/hash-keys.js'
import { serverCryptoProblems } from '../crypto/server-crypto-problems.js'
import { parseScope } from '../domain/scope.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { DEFAULTS } from './defaults.js'
import type { AuthorizationServerOptions, ResolvedConfig } from './options.js'

const PREFIX = /^[A-Za-z0-9_-]{1,16}$/

/**
 * Applies defaults and checks every setting, collecting all problems into one
 * {@link ConfigurationError} that names each setting.
 */
export function resolveConfig(options: AuthorizationServerOptions): ResolvedConfig {
  const problems: string[] = []
  const check = (ok: boolean, path: string, message: string): void => {
    if (!ok) problems.push(`${path}: ${message}`)
  }
  const positive = (value: number, path: string): void =>
    check(Number.isFinite(value) && value > 0, path, 'must be a positive number')

  const issuer = options.issuer
  check(issuerProblem(issuer) === null, 'issuer', issuerProblem(issuer) ?? '')
  check(
    Boolean(options.storage?.repositories && options.storage?.unitOfWork),
    'storage',
    'needs repositories and unitOfWork',
  )
  problems.push(...serverCryptoProblems(options.crypto))
  if (options.telemetry !== undefined) {
    const { telemetry } = options
    check(
      typeof telemetry?.span === 'function' && typeof telemetry.count === 'function',
      'telemetry',
      'needs span and count functions',
    )
  }

  if (options.signingKeyEncryption) {
    try {
      resolveHashKeys(options.signingKeyEncryption, 'signingKeyEncryption')
    } catch (error) {
      // Listed with every other problem, so one run shows all there is to fix.
      if (!(error instanceof ConfigurationError)) throw error
      problems.push(...error.problems)
    }
  }

  const scopes = options.scopes === undefined ? null : checkScopes(options.scopes, 'scopes', problems)
  const defaultScopes =
    options.defaultScopes === undefined ? null : checkScopes(options.defaultScopes, 'defaultScopes', problems)
  if (scopes && defaultScopes) {
    const unknown = defaultScopes.filter((s) => !scopes.includes(s))
    check(unknown.length === 0, 'defaultScopes', `not in scopes: ${unknown.join(', ')}`)
  }

  const authCodeTtlMinutes = options.authCodeTtlMinutes ?? DEFAULTS.authCodeTtlMinutes
  positive(authCodeTtlMinutes, 'authCodeTtlMinutes')
  // RFC 6749 §4.1.2: a code should live at most 10 minutes.
  check(authCodeTtlMinutes <= 10, 'authCodeTtlMinutes', 'must be at most 10 (RFC 6749 §4.1.2)')
  const accessTokenTtlMinutes = options.accessTokenTtlMinutes ?? DEFAULTS.accessTokenTtlMinutes
  positive(accessTokenTtlMinutes, 'accessTokenTtlMinutes')
  const refreshTokenTtlDays = options.refreshTokenTtlDays ?? DEFAULTS.refreshTokenTtlDays
  positive(refreshTokenTtlDays, 'refreshTokenTtlDays')
  const refreshTokenReuseGraceSeconds =
    options.refreshTokenReuseGraceSeconds ?? DEFAULTS.refreshTokenReuseGraceSeconds
  check(
    Number.isFinite(refreshTokenReuseGraceSeconds) &&
      refreshTokenReuseGraceSeconds >= 0 &&
      refreshTokenReuseGraceSeconds <= 300,
    'refreshTokenReuseGraceSeconds',
    'must be between 0 and 300',
  )
  const refreshTokenFamilyLifetimeDays =
    options.refreshTokenFamilyLifetimeDays ?? DEFAULTS.refreshTokenFamilyLifetimeDays
  if (refreshTokenFamilyLifetimeDays !== null)
    positive(refreshTokenFamilyLifetimeDays, 'refreshTokenFamilyLifetimeDays')

  const pkceRequiredFor = options.pkce?.requiredFor ?? DEFAULTS.pkceRequiredFor
  check(
    pkceRequiredFor === 'public-clients' || pkceRequiredFor === 'all-clients',
    'pkce.requiredFor',
    "must be 'public-clients' or 'all-clients'",
  )
  const pkceAllowPlain = options.pkce?.allowPlain ?? DEFAULTS.pkceAllowPlain
  check(typeof pkceAllowPlain === 'boolean', 'pkce.allowPlain', 'must be true or false')

  const accessTokenFormat = options.accessTokenFormat ?? DEFAULTS.accessTokenFormat
  check(
    accessTokenFormat === 'opaque' || accessTokenFormat === 'jwt',
    'accessTokenFormat',
    "must be 'opaque' or 'jwt'",
  )
  const accessTokenPrefix = options.tokenPrefixes?.accessToken ?? DEFAULTS.accessTokenPrefix
  const refreshTokenPrefix = options.tokenPrefixes?.refreshToken ?? DEFAULTS.refreshTokenPrefix
  check(PREFIX.test(accessTokenPrefix), 'tokenPrefixes.accessToken', 'use 1-16 letters, digits, _ or -')
  check(PREFIX.test(refreshTokenPrefix), 'tokenPrefixes.refreshToken', 'use 1-16 letters, digits, _ or -')
  check(
    accessTokenPrefix !== refreshTokenPrefix,
    'tokenPrefixes',
    'access and refresh token prefixes must differ',
  )

  const clientCacheSeconds = options.clientCacheSeconds ?? DEFAULTS.clientCacheSeconds
  check(
    Number.isFinite(clientCacheSeconds) && clientCacheSeconds >= 0,
    'clientCacheSeconds',
    'must be 0 or more',
  )

  const jwtSigningAlgorithm = options.jwt?.signingAlgorithm ?? DEFAULTS.jwtSigningAlgorithm
  check(
    ['ES256', 'RS256', 'EdDSA'].includes(jwtSigningAlgorithm),
    'jwt.signingAlgorithm',
    'must be ES256, RS256 or EdDSA',
  )
  const signingKeyCacheSeconds = options.jwt?.signingKeyCacheSeconds ?? DEFAULTS.signingKeyCacheSeconds
  check(
    Number.isFinite(signingKeyCacheSeconds) && signingKeyCacheSeconds >= 0,
    'jwt.signingKeyCacheSeconds',
    'must be 0 or more',
  )

  check(/^[\x20-\x7E]*$/.test(options.realm ?? DEFAULTS.realm), 'realm', 'must be printable ASCII')

  if (problems.length > 0) throw new ConfigurationError(problems)
  return Object.freeze({
    issuer,
    scopes,
    defaultScopes,
    authCodeTtlMinutes,
    accessTokenTtlMinutes,
    refreshTokenTtlDays,
    refreshTokenReuseGraceSeconds,
    refreshTokenFamilyLifetimeDays,
    clientCacheSeconds,
    pkceRequiredFor,
    pkceAllowPlain,
    accessTokenFormat,
    accessTokenPrefix,
    refreshTokenPrefix,
    jwtAudience: options.jwt?.audience ?? issuer,
    jwtCheckRevocation: options.jwt?.checkRevocation ?? DEFAULTS.jwtCheckRevocation,
    jwtSigningAlgorithm,
    signingKeyCacheSeconds,
    realm: options.realm ?? DEFAULTS.realm,
  })
}

function issuerProblem(issuer: unknown): string | null {
  if (typeof issuer !== 'string' || issuer === '') return 'is required (an https URL)'
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    return 'must be an absolute URL'
  }
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) {
    return 'must have no query or fragment (RFC 8414 §2)'
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return 'must use https (http only on a loopback host)'
  }
  return null
}

function checkScopes(scopes: readonly string[], path: string, problems: string[]): readonly string[] {
  const parsed = parseScope(scopes.join(' '))
  if (parsed === null || scopes.some((s) => s === '' || s.includes(' '))) {
    problems.push(`${path}: each scope must be printable ASCII without spaces, quotes or backslashes`)
    return []
  }
  return Object.freeze(parsed)
}
