import { ConfigurationError } from '@sp-oauth/core'

/** The hooks a Node adapter's options name, whatever parameters each framework gives them. */
export interface NamedHooks {
  readonly getUser?: unknown
  readonly login?: unknown
  readonly renderConsent?: unknown
  readonly renderErrorPage?: unknown
}

/**
 * Checks an adapter's hooks at construction, where a missing one is a setup mistake rather than
 * a failure on the first sign-in.
 *
 * @throws ConfigurationError listing every required hook that is not a function, and `renderErrorPage`
 *   when given but not a function
 */
export function requireHooks(options: NamedHooks): void {
  const problems = (['getUser', 'login', 'renderConsent'] as const)
    .filter((hook) => typeof options[hook] !== 'function')
    .map((hook) => `${hook}: must be a function`)
  if (options.renderErrorPage !== undefined && typeof options.renderErrorPage !== 'function') {
    problems.push('renderErrorPage: must be a function when given')
  }
  if (problems.length > 0) throw new ConfigurationError(problems)
}
