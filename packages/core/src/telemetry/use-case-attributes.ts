import { isGrantType } from '../domain/grant-type.js'
import type { TelemetryAttributes } from '../ports/telemetry.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import { isClientId } from '../use-cases/internal/client-id.js'
import { parameterOf } from './parameter-of.js'
import { TELEMETRY_ATTRIBUTES } from './telemetry-names.js'

/** For some server methods, a function of the method's arguments. */
export type PerUseCase<R> = {
  readonly [K in keyof AuthorizationServer]?: AuthorizationServer[K] extends (...args: infer A) => unknown
    ? (...args: A) => R
    : never
}

/**
 * What a use case's span starts with: the client the application names (or an authorization
 * request the core verified names), and the grant of a token request when it is one sp-oauth
 * implements. A client id a request merely claims is not among them: see `CLAIMED_CLIENT_IDS`.
 */
export const USE_CASE_ATTRIBUTES: PerUseCase<TelemetryAttributes> = {
  issueTokenFromRequest: (request) => grantTypeAttribute(parameterOf(request.body, 'grant_type')),
  approveAuthorizationRequest: (request) => clientIdAttribute(request.client.id),
  denyAuthorizationRequest: (request) => clientIdAttribute(request.client.id),
  importClient: (input) => clientIdAttribute(input.id),
  rotateClientSecret: (clientId) => clientIdAttribute(clientId),
  getClient: (clientId) => clientIdAttribute(clientId),
  updateClient: (clientId) => clientIdAttribute(clientId),
  revokeClient: (clientId) => clientIdAttribute(clientId),
  hasConsent: (query) => clientIdAttribute(query.clientId),
  rememberConsent: (query) => clientIdAttribute(query.clientId),
  revokeConsent: (query) => clientIdAttribute(query.clientId),
  revokeUserTokens: (input) => clientIdAttribute(input.clientId),
  revokeToken: (input) => clientIdAttribute(input.clientId),
  introspectToken: (input) => clientIdAttribute(input.callerClientId),
}

const NONE: TelemetryAttributes = Object.freeze({})

function clientIdAttribute(clientId: unknown): TelemetryAttributes {
  return typeof clientId === 'string' && isClientId(clientId)
    ? { [TELEMETRY_ATTRIBUTES.clientId]: clientId }
    : NONE
}

function grantTypeAttribute(grantType: unknown): TelemetryAttributes {
  return typeof grantType === 'string' && isGrantType(grantType)
    ? { [TELEMETRY_ATTRIBUTES.grantType]: grantType }
    : NONE
}
