import { expect } from 'vitest'
import { OAuthError } from '../errors/oauth-error.js'
import { REDIRECT_URI, rejectionOf } from './test-server.js'

/** The problems an `invalid_request` rejection lists (its description, split at `; `). */
export async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OAuthError)
  expect((error as OAuthError).code).toBe('invalid_request')
  return ((error as OAuthError).description ?? '').split('; ')
}

/** A confidential web app's metadata, for `createClient` (name aside). */
export const WEB_APP = {
  redirectUris: [REDIRECT_URI],
  allowedGrants: ['authorization_code', 'refresh_token'] as const,
  allowedScopes: ['invoices.read', 'invoices.write'],
  confidential: true,
}
