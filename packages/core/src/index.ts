// Configuration and the server

export { DEFAULTS } from './config/defaults.js'
export type { AuthorizationServerOptions, ResolvedConfig, Storage } from './config/options.js'
export { resolveConfig } from './config/resolve-config.js'
export { constantTimeEqual } from './crypto/constant-time-equal.js'
export type { HashKey, HashKeys } from './crypto/hash-keys.js'
export { createJoseJwtSigner } from './crypto/jose-jwt-signer.js'
export type { EncryptedPrivateJwk, SigningKeyEncryptionOptions } from './crypto/signing-key-encryption.js'
export { systemClock } from './crypto/system-clock.js'
// The server's cryptography through Web Crypto (any runtime); nodeCrypto is in @sp-oauth/core/node
export { webCrypto } from './crypto/web-crypto.js'
export type { AccessTokenFormat, AccessTokenRecord, BearerTokenRecord } from './domain/access-token.js'
export type { AuthorizationCodeRecord, CodeChallengeMethod } from './domain/authorization-code.js'
export type { ApplicationType, Client, ClientRecord, TokenEndpointAuthMethod } from './domain/client.js'
export { APPLICATION_TYPES, TOKEN_ENDPOINT_AUTH_METHODS, toClient } from './domain/client.js'
export type { ConsentRecord } from './domain/consent.js'
export { eventAggregateId } from './domain/event-aggregate-id.js'
export type {
  AuthorizationApprovedEvent,
  AuthorizationCodeReplayDetectedEvent,
  AuthorizationDeniedEvent,
  ClientAuthenticationFailedEvent,
  ClientCreatedEvent,
  ClientRevokedEvent,
  ClientSecretRotatedEvent,
  ClientUpdatedEvent,
  ConsentRevokedEvent,
  OAuthEvent,
  OAuthEventOf,
  OAuthEventType,
  RefreshTokenReuseDetectedEvent,
  RefreshTokenRotatedEvent,
  TokenIssuedEvent,
  TokenRevokedEvent,
  UserTokensRevokedEvent,
} from './domain/events.js'
export { OAUTH_EVENT_TYPES } from './domain/events.js'
export type { GrantType } from './domain/grant-type.js'
// Domain
export { GRANT_TYPES, isGrantType } from './domain/grant-type.js'
export { isPkceValue, s256Challenge } from './domain/pkce.js'
export type { Principal, PrincipalData } from './domain/principal.js'
export { createPrincipal } from './domain/principal.js'
export type { RedirectUriMatchOptions } from './domain/redirect-uri.js'
export { matchRedirectUri, redirectUriProblem } from './domain/redirect-uri.js'
export type { RefreshTokenRecord } from './domain/refresh-token.js'
export { formatScope, isScopeSubset, isScopeToken, normalizeScopes, parseScope } from './domain/scope.js'
export type { JsonWebKey, SigningAlgorithm, SigningKeyRecord, SigningKeyState } from './domain/signing-key.js'
export { canVerify } from './domain/signing-key.js'
export { ConfigurationError } from './errors/configuration-error.js'
export type { OAuthErrorCode } from './errors/error-codes.js'
export { OAUTH_ERROR_STATUS } from './errors/error-codes.js'
export type { ErrorRedirect, OAuthErrorOptions } from './errors/oauth-error.js'
export { OAuthError } from './errors/oauth-error.js'
export type { OAuthHttpResponse, RenderErrorOptions } from './errors/render-error.js'
export { renderError } from './errors/render-error.js'
// Errors
export { SpOAuthError } from './errors/sp-oauth-error.js'
export type { StorageUnavailableErrorOptions } from './errors/storage-unavailable-error.js'
export {
  DEFAULT_STORAGE_RETRY_AFTER_SECONDS,
  StorageUnavailableError,
} from './errors/storage-unavailable-error.js'
export type { AccessTokenRepository } from './ports/access-token-repository.js'
export type {
  AccessTokenIssuance,
  AtomicIssuance,
  CodeRedemption,
  IssuanceResult,
  IssuanceStatus,
  IssuedTokenRecords,
  RefreshRotation,
} from './ports/atomic-issuance.js'
export { ISSUANCE_RESULTS } from './ports/atomic-issuance.js'
export type { AuthorizationCodeRepository } from './ports/authorization-code-repository.js'
// Ports
export type { ClientChanges, ClientListQuery, ClientRepository } from './ports/client-repository.js'
export type { ClientWithCredential } from './ports/client-with-credential.js'
export type { Clock } from './ports/clock.js'
export type { ConsentRepository } from './ports/consent-repository.js'
export type { ConsentTicketRepository } from './ports/consent-ticket-repository.js'
export type { DeliverOutboxEntries, EventOutboxReader, OutboxEntry } from './ports/event-outbox-reader.js'
export type { EventOutboxRepository, EventPublisher } from './ports/event-publisher.js'
export type { JwtSigner, VerifiedJwt } from './ports/jwt-signer.js'
export type { RandomSource } from './ports/random-source.js'
export type { RefreshTokenRepository } from './ports/refresh-token-repository.js'
export type { SecretHash, SecretHasher } from './ports/secret-hasher.js'
export type { ServerCrypto } from './ports/server-crypto.js'
export type { Sha256Digest } from './ports/sha256-digest.js'
export type { SigningKeyRepository } from './ports/signing-key-repository.js'
export type { Telemetry, TelemetryAttributes, TelemetrySpan } from './ports/telemetry.js'
export type { Repositories, TransactionalRepositories, UnitOfWork } from './ports/unit-of-work.js'
export {
  type AttemptOutcome,
  type ClientAddressRequest,
  type ClientAddressResolver,
  checkRateLimitAttempts,
  createClientAddressResolver,
  type LockoutRule,
  MAX_RATE_LIMIT_ATTEMPTS,
  MAX_RATE_LIMIT_KEY_LENGTH,
  RATE_LIMIT_DEFAULTS,
  type RateLimitAttempt,
  type RateLimitDecision,
  type RateLimitedRequest,
  type RateLimitedRoute,
  type RateLimiter,
  type RateLimitOptions,
  type RateLimitRule,
  type ResolvedRateLimitOptions,
  type RouteLimits,
  rateLimitAttempts,
  resolveRateLimitOptions,
  type TrustProxy,
} from './rate-limit/index.js'
export type { AuthorizationServer } from './server/create-authorization-server.js'
export { createAuthorizationServer } from './server/create-authorization-server.js'
export type { ConsentAnswerInput } from './use-cases/answer-consent.js'
export type { AuthorizationApproval, ConsentContext } from './use-cases/approve-authorization-request.js'
export type { BearerRequest } from './use-cases/authenticate-bearer.js'
export type {
  AuthorizationStep,
  BeginAuthorizationInput,
  InteractionUser,
} from './use-cases/begin-authorization.js'
export { DEFAULT_INTERACTION_TTL_SECONDS } from './use-cases/begin-authorization.js'
export type { HealthReport, HealthStatus } from './use-cases/check-health.js'
export type { CreatedClient } from './use-cases/create-client.js'
export type { ConsentQuery } from './use-cases/has-consent.js'
export type { ClientImport } from './use-cases/import-client.js'
export type { ClientAuthenticationMethod } from './use-cases/internal/authenticate-client.js'
export type { ClientInput, ClientPatch } from './use-cases/internal/client-input.js'
export type { ClientAuthenticationOutcome, ClientRequest } from './use-cases/internal/http-request.js'
export type { TokenResponse } from './use-cases/internal/issue-tokens.js'
export type { ParameterInput } from './use-cases/internal/parameters.js'
export type { ServerContext } from './use-cases/internal/server-context.js'
export { createUnitOfWorkIssuance } from './use-cases/internal/unit-of-work-issuance.js'
export type { UserReference } from './use-cases/internal/user-id.js'
export type { IntrospectionResponse, IntrospectTokenInput } from './use-cases/introspect-token.js'
export type { ClientListOptions, ClientPage } from './use-cases/list-clients.js'
export type { ConnectedClient } from './use-cases/list-consents.js'
export type { OutboxRelay, OutboxRelayOptions, RelayScheduler } from './use-cases/outbox-relay.js'
export { createOutboxRelay } from './use-cases/outbox-relay.js'
export type { RelayOutboxEventsDeps, RelayOutboxEventsOptions } from './use-cases/relay-outbox-events.js'
export { relayOutboxEvents } from './use-cases/relay-outbox-events.js'
export { requireAllScopes, requireAnyScope, requireClient } from './use-cases/require-scopes.js'
export type { RevokeTokenInput, TokenTypeHint } from './use-cases/revoke-token.js'
export type { RevokedUserTokens, RevokeUserTokensInput } from './use-cases/revoke-user-tokens.js'
export type { SigningKeyInfo } from './use-cases/signing-keys.js'
export { CLIENT_PATCH_FIELDS } from './use-cases/update-client.js'
export type { AuthorizationRequest } from './use-cases/validate-authorization-request.js'
