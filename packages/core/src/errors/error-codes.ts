/**
 * Every `error` code sp-oauth puts on the wire, with the HTTP status it is sent with.
 *
 * @see RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1
 */
export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  unauthorized_client: 400,
  access_denied: 403,
  unsupported_response_type: 400,
  invalid_scope: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  invalid_client: 401,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  unsupported_token_type: 400,
  // OpenID Connect Core §3.1.2.6: `prompt=none` could not be honoured. Always redirected.
  login_required: 400,
  consent_required: 400,
} as const

/** An RFC `error` code. */
export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS
