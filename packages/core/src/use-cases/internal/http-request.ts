import type { ParameterInput } from './parameters.js'

/** How a request's client authentication went: the client proved who it is, or it did not. */
export type ClientAuthenticationOutcome = 'success' | 'failure'

/**
 * A request to the token, revocation or introspection endpoint, as an HTTP adapter hands it over:
 * the parsed form body, the `Authorization` header, and the query string (where no credential
 * may travel).
 */
export interface ClientRequest {
  readonly body: ParameterInput
  readonly authorization?: string | undefined
  readonly query?: ParameterInput | undefined
  /**
   * Called once the client authentication is decided (`invalid_client` is a failure) and before
   * anything acts on it or answers; a rejection ends the request with that rejection. Not called
   * for a request refused before authenticating (malformed). The HTTP surface charges its request
   * limits here, in one call, with the outcome known.
   */
  readonly onClientAuthentication?: ((outcome: ClientAuthenticationOutcome) => Promise<void>) | undefined
}
