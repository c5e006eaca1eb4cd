import { describe, expect, it } from 'vitest'
import { OAuthError } from './oauth-error.js'
import { SpOAuthError } from './sp-oauth-error.js'
import { StorageUnavailableError } from './storage-unavailable-error.js'

describe('StorageUnavailableError', () => {
  it('is an SpOAuthError named StorageUnavailableError, not an OAuthError, and keeps its cause', () => {
    const cause = new Error('Connection terminated unexpectedly')
    const error = new StorageUnavailableError({ message: 'PostgreSQL lost its connection', cause })
    expect(error).toBeInstanceOf(SpOAuthError)
    expect(error).not.toBeInstanceOf(OAuthError)
    expect(error.name).toBe('StorageUnavailableError')
    expect(error.message).toBe('PostgreSQL lost its connection')
    expect(error.cause).toBe(cause)
  })

  it('retries after 5 seconds by default, and after a positive whole number of seconds only', () => {
    expect(new StorageUnavailableError().retryAfterSeconds).toBe(5)
    expect(new StorageUnavailableError({ retryAfterSeconds: 12 }).retryAfterSeconds).toBe(12)
    expect(new StorageUnavailableError({ retryAfterSeconds: 0 }).retryAfterSeconds).toBe(5)
    expect(new StorageUnavailableError({ retryAfterSeconds: 1.5 }).retryAfterSeconds).toBe(5)
  })
})
