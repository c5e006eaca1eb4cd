import type { ParameterInput } from './parameters.js'

/**
 * A request to the token, revocation or introspection endpoint, as an HTTP adapter hands it over:
 * the parsed form body, the `Authorization` header, and the query string (where no credential
 * may travel).
 */
export interface ClientRequest {
  readonly body: ParameterInput
  readonly authorization?: string | undefined
  readonly query?: ParameterInput | undefined
}
