import type { AuthorizationServerOptions, ResolvedConfig } from '../config/options.js'
import { resolveConfig } from '../config/resolve-config.js'
import { createJoseJwtSigner } from '../crypto/jose-jwt-signer.js'
import { createSigningKeyEncryption } from '../crypto/signing-key-encryption.js'
import { systemClock } from '../crypto/system-clock.js'
import type { Client } from '../domain/client.js'
import type { Principal } from '../domain/principal.js'
import type { JsonWebKey, SigningKeyState } from '../domain/signing-key.js'
import { type OAuthHttpResponse, renderError } from '../errors/render-error.js'
import { instrumentPorts } from '../telemetry/instrument-ports.js'
import { instrumentServer } from '../telemetry/instrument-server.js'
import { answerConsent, type ConsentAnswerInput } from '../use-cases/answer-consent.js'
import {
  type AuthorizationApproval,
  approveAuthorizationRequest,
  type ConsentContext,
} from '../use-cases/approve-authorization-request.js'
import { authenticateBearer, type BearerRequest } from '../use-cases/authenticate-bearer.js'
import {
  type AuthorizationStep,
  type BeginAuthorizationInput,
  beginAuthorization,
} from '../use-cases/begin-authorization.js'
import { checkHealth, type HealthReport } from '../use-cases/check-health.js'
import { type CreatedClient, createClient } from '../use-cases/create-client.js'
import { denyAuthorizationRequest } from '../use-cases/deny-authorization-request.js'
import { getClient } from '../use-cases/get-client.js'
import { type ConsentQuery, hasConsent } from '../use-cases/has-consent.js'
import { type ClientImport, checkClientImport, importClient } from '../use-cases/import-client.js'
import type { ClientInput, ClientPatch } from '../use-cases/internal/client-input.js'
import { createClientRevocationCache } from '../use-cases/internal/client-revocation-cache.js'
import type { ClientRequest } from '../use-cases/internal/http-request.js'
import type { TokenResponse } from '../use-cases/internal/issue-tokens.js'
import type { ParameterInput } from '../use-cases/internal/parameters.js'
import type { ServerContext } from '../use-cases/internal/server-context.js'
import { createSigningKeyCache } from '../use-cases/internal/signing-key-cache.js'
import { createUnitOfWorkIssuance } from '../use-cases/internal/unit-of-work-issuance.js'
import type { UserReference } from '../use-cases/internal/user-id.js'
import {
  type IntrospectionResponse,
  type IntrospectTokenInput,
  introspectToken,
} from '../use-cases/introspect-token.js'
import { introspectTokenFromRequest } from '../use-cases/introspect-token-from-request.js'
import { issueTokenFromRequest } from '../use-cases/issue-token-from-request.js'
import { type ClientListOptions, type ClientPage, listClients } from '../use-cases/list-clients.js'
import { type ConnectedClient, listConsents } from '../use-cases/list-consents.js'
import { rememberConsent } from '../use-cases/remember-consent.js'
import { revokeClient } from '../use-cases/revoke-client.js'
import { revokeConsent } from '../use-cases/revoke-consent.js'
import { type RevokeTokenInput, revokeToken } from '../use-cases/revoke-token.js'
import { revokeTokenFromRequest } from '../use-cases/revoke-token-from-request.js'
import {
  type RevokedUserTokens,
  type RevokeUserTokensInput,
  revokeUserTokens,
} from '../use-cases/revoke-user-tokens.js'
import { rotateClientSecret } from '../use-cases/rotate-client-secret.js'
import {
  getJwks,
  listSigningKeys,
  markSigningKeyCompromised,
  reencryptSigningKeys,
  retireSigningKey,
  rotateSigningKey,
  type SigningKeyInfo,
} from '../use-cases/signing-keys.js'
import { updateClient } from '../use-cases/update-client.js'
import type { AuthorizationRequest } from '../use-cases/validate-authorization-request.js'
import { validateAuthorizationRequest } from '../use-cases/validate-authorization-request.js'

/** The whole server: every use case bound to one configuration and one set of ports. */
export interface AuthorizationServer {
  readonly config: ResolvedConfig
  /**
   * What the server runs on (resolved configuration, storage, hasher, clock, …), for tests and
   * the contract kit to reach the wiring they set up. Not a stable API: call the methods above.
   */
  readonly context: ServerContext
  createClient(input: ClientInput): Promise<CreatedClient>
  /**
   * Registers a client under the id and secret it has on another server (a migration): checked
   * like `createClient`, the secret stored only as its hash. See `ClientImport`.
   */
  importClient(input: ClientImport): Promise<Client>
  /** What `importClient` would refuse `input` for (`field: message` each, a taken id too), writing nothing. */
  checkClientImport(input: ClientImport): Promise<readonly string[]>
  /** The client with this id, revoked or not; `null` when there is none. Never its secret or hash. */
  getClient(clientId: string): Promise<Client | null>
  /** The clients in registration order, a page at a time; see `ClientListOptions`. */
  listClients(options?: ClientListOptions): Promise<ClientPage>
  /** Changes a client's metadata (not its kind or secret); see `ClientPatch`. */
  updateClient(clientId: string, patch: ClientPatch): Promise<Client>
  rotateClientSecret(clientId: string): Promise<{ readonly plaintextSecret: string }>
  revokeClient(clientId: string): Promise<boolean>
  validateAuthorizationRequest(parameters: ParameterInput): Promise<AuthorizationRequest>
  hasConsent(query: ConsentQuery): Promise<boolean>
  rememberConsent(
    query: ConsentQuery & { readonly claims?: Readonly<Record<string, unknown>> },
  ): Promise<void>
  revokeConsent(query: { readonly user: UserReference; readonly clientId: string }): Promise<boolean>
  /** The user's remembered consents with client names, for a "connected clients" page. */
  listConsents(user: UserReference): Promise<readonly ConnectedClient[]>
  /**
   * Revokes the user's access and refresh tokens, of one client or all ("disconnect", "sign out
   * everywhere"), and with `consent: 'revoke'` their remembered consent(s).
   */
  revokeUserTokens(input: RevokeUserTokensInput): Promise<RevokedUserTokens>
  approveAuthorizationRequest(
    request: AuthorizationRequest,
    user: UserReference,
    consent?: ConsentContext,
  ): Promise<AuthorizationApproval>
  denyAuthorizationRequest(
    request: AuthorizationRequest,
    user?: UserReference | null,
  ): Promise<{ readonly redirectUrl: string }>
  /** The authorization interaction's first step: login, consent or redirect; see `beginAuthorization`. */
  beginAuthorization(input: BeginAuthorizationInput): Promise<AuthorizationStep>
  /** The user's answer on the consent screen, checked and consumed once; see `answerConsent`. */
  answerConsent(input: ConsentAnswerInput): Promise<{ readonly redirectUrl: string }>
  issueTokenFromRequest(request: ClientRequest): Promise<TokenResponse>
  revokeToken(input: RevokeTokenInput): Promise<boolean>
  revokeTokenFromRequest(request: ClientRequest): Promise<void>
  introspectToken(input: IntrospectTokenInput): Promise<IntrospectionResponse>
  introspectTokenFromRequest(request: ClientRequest): Promise<IntrospectionResponse>
  authenticateBearer(request: BearerRequest): Promise<Principal>
  rotateSigningKey(): Promise<SigningKeyInfo>
  retireSigningKey(kid: string): Promise<SigningKeyInfo>
  markSigningKeyCompromised(kid: string): Promise<SigningKeyInfo>
  listSigningKeys(states?: readonly SigningKeyState[]): Promise<readonly SigningKeyInfo[]>
  getJwks(): Promise<{ readonly keys: readonly JsonWebKey[] }>
  /** Re-encrypts every stored private signing key not under the current key-encryption key. */
  reencryptSigningKeys(): Promise<{ readonly reencrypted: number }>
  /**
   * Whether the server can answer: the storage reachable, its migrations all run, the active
   * signing key usable. Never rejects; for readiness probes.
   */
  health(): Promise<HealthReport>
  /** Renders anything a use case threw, with this server's realm and issuer. */
  renderError(error: unknown): OAuthHttpResponse
}

/**
 * Builds an authorization server from options, checking every setting first.
 *
 * @throws ConfigurationError listing every invalid setting as `path: message`
 */
export function createAuthorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  const config = resolveConfig(options)
  const clock = options.clock ?? systemClock
  const hasher = options.crypto.secretHasher
  const signingKeyEncryption = createSigningKeyEncryption({ hasher, own: options.signingKeyEncryption })
  // With telemetry, the use cases get traced ports; without, the very ones given, at no cost.
  const { storage, eventPublisher } = instrumentPorts(options.telemetry, options)
  const context: ServerContext = Object.freeze({
    config,
    storage,
    issuance: storage.atomicIssuance ?? createUnitOfWorkIssuance(storage.unitOfWork),
    hasher,
    sha256: options.crypto.sha256Digest,
    clock,
    random: options.crypto.randomSource,
    jwtSigner: options.jwtSigner ?? createJoseJwtSigner(),
    eventPublisher,
    signingKeys: createSigningKeyCache(config, storage, clock, signingKeyEncryption),
    signingKeyEncryption,
    clientRevocations: createClientRevocationCache(storage, clock, config.clientCacheSeconds),
    onEventPublishFailed: options.onEventPublishFailed ?? (() => {}),
  })
  const server: AuthorizationServer = {
    config,
    context,
    createClient: (input) => createClient(context, input),
    importClient: (input) => importClient(context, input),
    checkClientImport: (input) => checkClientImport(context, input),
    getClient: (clientId) => getClient(context, clientId),
    listClients: (options) => listClients(context, options),
    updateClient: (clientId, patch) => updateClient(context, clientId, patch),
    health: () => checkHealth(context),
    rotateClientSecret: (clientId) => rotateClientSecret(context, clientId),
    revokeClient: (clientId) => revokeClient(context, clientId),
    validateAuthorizationRequest: (parameters) => validateAuthorizationRequest(context, parameters),
    hasConsent: (query) => hasConsent(context, query),
    rememberConsent: (query) => rememberConsent(context, query),
    revokeConsent: (query) => revokeConsent(context, query),
    listConsents: (user) => listConsents(context, user),
    revokeUserTokens: (input) => revokeUserTokens(context, input),
    approveAuthorizationRequest: (request, user, consent) =>
      approveAuthorizationRequest(context, request, user, consent),
    denyAuthorizationRequest: (request, user) => denyAuthorizationRequest(context, request, user ?? null),
    beginAuthorization: (input) => beginAuthorization(context, input),
    answerConsent: (input) => answerConsent(context, input),
    issueTokenFromRequest: (request) => issueTokenFromRequest(context, request),
    revokeToken: (input) => revokeToken(context, input),
    revokeTokenFromRequest: (request) => revokeTokenFromRequest(context, request),
    introspectToken: (input) => introspectToken(context, input),
    introspectTokenFromRequest: (request) => introspectTokenFromRequest(context, request),
    authenticateBearer: (request) => authenticateBearer(context, request),
    rotateSigningKey: () => rotateSigningKey(context),
    retireSigningKey: (kid) => retireSigningKey(context, kid),
    markSigningKeyCompromised: (kid) => markSigningKeyCompromised(context, kid),
    listSigningKeys: (states) => listSigningKeys(context, states),
    getJwks: () => getJwks(context),
    reencryptSigningKeys: () => reencryptSigningKeys(context),
    renderError: (error) => renderError(error, { realm: config.realm, issuer: config.issuer }),
  }
  return Object.freeze(options.telemetry ? instrumentServer(server, options.telemetry) : server)
}
