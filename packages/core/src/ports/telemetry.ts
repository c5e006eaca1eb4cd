/**
 * Named attribute values, e.g. `{ 'oauth.grant_type': 'client_credentials' }`. The core never puts
 * a secret, token, authorization code, PKCE verifier, consent ticket, hash or user id in one: only
 * names of things (use cases, grant and token types, OAuth error codes) and client ids.
 */
export type TelemetryAttributes = Readonly<Record<string, string | number | boolean>>

/** The span a {@link Telemetry.span} call opened, for attributes learnt while it runs. */
export interface TelemetrySpan {
  /** Adds attributes to the span; one set again replaces the earlier value. */
  setAttributes(attributes: TelemetryAttributes): void
}

/**
 * Where the server reports what it does, for tracing and metrics (`createOpenTelemetry()` from
 * `@sp-oauth/opentelemetry`, or your own). Given as the `telemetry` option of
 * `createAuthorizationServer`; without it nothing is wrapped and nothing is reported.
 *
 * Spans:
 * - `sp_oauth.<useCase>`, one per call of a server method (`sp_oauth.issueTokenFromRequest`,
 *   `sp_oauth.authenticateBearer`, …; every method but `renderError`), with `oauth.grant_type` for
 *   a token request naming a grant sp-oauth implements, and `oauth.client_id` when the call names
 *   a client: from the start when the application names it (`revokeClient(clientId)`, …); for a
 *   token, revocation, introspection or authorization request, only once the call proved the client
 *   it claims exists (it succeeded, or failed with `invalid_grant`, `unauthorized_client`,
 *   `invalid_scope` or a redirected error), so an unknown id, or a secret sent as one, is never
 *   reported.
 * - `sp_oauth.storage.<repository>.<method>`, one per storage call, inside the use case's span:
 *   `sp_oauth.storage.clients.findById`, `sp_oauth.storage.unitOfWork.run` (the transaction; the
 *   calls it makes are inside it), `sp_oauth.storage.outbox.append`,
 *   `sp_oauth.storage.atomicIssuance.issueAccessToken`, `sp_oauth.storage.pendingMigrations`.
 * - A span whose call rejects gets `oauth.error`: the `OAuthError`'s code (`invalid_client`,
 *   `invalid_grant`, …), `server_error` for anything else.
 *
 * Counters, counted once the change they report is committed, whether its events are published,
 * written to an outbox or not wanted at all:
 * - `sp_oauth.tokens.issued`: access tokens issued, by `oauth.grant_type`.
 * - `sp_oauth.tokens.revoked`: tokens revoked, by `oauth.token_type` (`access_token`,
 *   `refresh_token`) and `sp_oauth.revocation`: `token` (a token presented for revocation, RFC 7009:
 *   one, whatever its refresh family took with it) or `user` (`revokeUserTokens`: each token). The
 *   families revoked on a refresh token reuse or a code replay and the tokens of a revoked client
 *   are not counted here (they are `invalid_grant` refusals and `sp_oauth.revokeClient` spans).
 * - `sp_oauth.requests.refused`: server method calls that rejected, by `oauth.error` and
 *   `sp_oauth.use_case` (the method), with `oauth.grant_type` for token requests.
 */
export interface Telemetry {
  /**
   * Runs `run` once inside a span named `name` that starts with `attributes`, and settles as `run`
   * settles, with the same value or error. The span must be current while `run` runs, so the spans
   * started inside it (its storage calls) are its children. When `run` rejects, the span is marked
   * failed with the error (the core has set `oauth.error` on it by then). Must not throw itself.
   */
  span<T>(name: string, attributes: TelemetryAttributes, run: (span: TelemetrySpan) => Promise<T>): Promise<T>
  /** Adds `value` to the counter `name` for `attributes`. Must not throw. */
  count(name: string, value: number, attributes: TelemetryAttributes): void
}
