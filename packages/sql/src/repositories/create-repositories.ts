import type { Repositories } from '@sp-oauth/core'
import { wrapMethods } from '../wrap-methods.js'
import { createAccessTokenRepository } from './access-token-repository.js'
import { createAuthorizationCodeRepository } from './authorization-code-repository.js'
import { createClientRepository } from './client-repository.js'
import { createConsentRepository } from './consent-repository.js'
import { createConsentTicketRepository } from './consent-ticket-repository.js'
import { createRefreshTokenRepository } from './refresh-token-repository.js'
import type { RepositoryScope } from './repository-scope.js'
import { createSigningKeyRepository } from './signing-key-repository.js'

/** Every repository on one scope, each method run through `wrap` (error tracking, retries). */
export function createRepositories(
  scope: RepositoryScope,
  wrap: <R>(call: () => Promise<R>) => Promise<R>,
): Repositories {
  return {
    clients: wrapMethods(createClientRepository(scope), wrap),
    authorizationCodes: wrapMethods(createAuthorizationCodeRepository(scope), wrap),
    accessTokens: wrapMethods(createAccessTokenRepository(scope), wrap),
    refreshTokens: wrapMethods(createRefreshTokenRepository(scope), wrap),
    consents: wrapMethods(createConsentRepository(scope), wrap),
    consentTickets: wrapMethods(createConsentTicketRepository(scope), wrap),
    signingKeys: wrapMethods(createSigningKeyRepository(scope), wrap),
  }
}
