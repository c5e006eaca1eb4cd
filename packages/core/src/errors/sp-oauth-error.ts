/** Root of every error sp-oauth throws on purpose. */
export class SpOAuthError extends Error {
  override name = 'SpOAuthError'
}
