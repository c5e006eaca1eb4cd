import { SpOAuthError } from '@sp-oauth/core'
import { CliError } from '../cli-error.js'

/**
 * Runs a use case that takes `--user`: the core's error for a user id it cannot take (an
 * application bug when an application sends it) is, here, invalid input naming the option.
 */
export async function asUserError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof SpOAuthError && /user id/i.test(error.message) && error.name === 'SpOAuthError') {
      throw new CliError('invalid_input', `--user: ${error.message}`, { cause: error })
    }
    throw error
  }
}
