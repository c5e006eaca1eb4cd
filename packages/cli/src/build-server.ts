import { randomBytes } from 'node:crypto'
import {
  type AuthorizationServer,
  ConfigurationError,
  createAuthorizationServer,
  type HashKey,
  type SecretHasher,
  type ServerCrypto,
  type SigningAlgorithm,
  type Storage,
} from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { CliError, missingHashKey } from './cli-error.js'

/**
 * The issuer when neither `--issuer` nor `SP_OAUTH_ISSUER` names one. Only tokens and signing keys
 * would carry it, and the CLI issues no token; a reserved `.invalid` name can never be mistaken
 * for a real server.
 */
export const DEFAULT_ISSUER = 'https://sp-oauth-cli.invalid'

/** What the server the CLI builds is configured with. */
export interface ServerSettings {
  readonly storage: Storage
  readonly issuer: string
  /** The server's hash keys (current first), or `null` for a command that must never hash. */
  readonly hashKeys: readonly HashKey[] | null
  /**
   * Your servers' `accessTokenTtlMinutes`: `rotateSigningKey` retires previous keys older than it,
   * and a client's own access token lifetime may not exceed it.
   */
  readonly accessTokenTtlMinutes?: number
  /** Your servers' `refreshTokenTtlDays`: a client's own refresh token lifetime may not exceed it. */
  readonly refreshTokenTtlDays?: number
  /** The algorithm of a key `rotateSigningKey` generates. */
  readonly signingAlgorithm?: SigningAlgorithm
}

/**
 * The core's facade on the opened storage. The core needs `crypto` to be built even for commands
 * that hash nothing; those get a hasher that refuses every call with the missing-key error, so
 * nothing is ever hashed or encrypted under a made-up key (the throwaway key below only feeds the
 * parts that use no key: SHA-256 and randomness).
 *
 * @throws CliError `configuration` when the core refuses the issuer or a hash key
 */
export function buildServer(settings: ServerSettings): AuthorizationServer {
  try {
    const crypto: ServerCrypto =
      settings.hashKeys === null
        ? {
            ...nodeCrypto({ keys: [{ id: 'unused', secret: randomBytes(32) }] }),
            secretHasher: refusingHasher,
          }
        : nodeCrypto({ keys: settings.hashKeys })
    return createAuthorizationServer({
      issuer: settings.issuer,
      storage: settings.storage,
      crypto,
      ...(settings.accessTokenTtlMinutes === undefined
        ? {}
        : { accessTokenTtlMinutes: settings.accessTokenTtlMinutes }),
      ...(settings.refreshTokenTtlDays === undefined
        ? {}
        : { refreshTokenTtlDays: settings.refreshTokenTtlDays }),
      ...(settings.signingAlgorithm === undefined
        ? {}
        : { jwt: { signingAlgorithm: settings.signingAlgorithm } }),
    })
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error
    const problems = error.problems.map((problem) =>
      problem
        .replace(/^issuer:/, 'the issuer (--issuer or SP_OAUTH_ISSUER):')
        .replace(/^accessTokenTtlMinutes:/, 'SP_OAUTH_ACCESS_TOKEN_TTL_MINUTES:')
        .replace(/^refreshTokenTtlDays:/, 'SP_OAUTH_REFRESH_TOKEN_TTL_DAYS:')
        .replace(/^crypto\.keys\[(\d+)\]/, (_, index: string) => `hash key ${Number(index) + 1}`),
    )
    throw new CliError('configuration', problems.join('; '), { cause: error })
  }
}

const refuse = (): Promise<never> => Promise.reject(missingHashKey())

/** A hasher with no key: every call rejects with the missing-key error. */
export const refusingHasher: SecretHasher = Object.freeze({
  currentKeyId: 'none',
  keyIds: Object.freeze(['none']),
  hash: refuse,
  hashWithKey: refuse,
  verify: refuse,
})
