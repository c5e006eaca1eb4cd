import { SpOAuthError } from './sp-oauth-error.js'

/**
 * Thrown at set-up only (never for a client's request), listing every problem found as
 * `path: message`, so one run shows everything there is to fix.
 */
export class ConfigurationError extends SpOAuthError {
  static override readonly kind: string = 'ConfigurationError'
  override name = 'ConfigurationError'
  readonly problems: readonly string[]

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(`Invalid sp-oauth configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options)
    this.problems = problems
  }
}
