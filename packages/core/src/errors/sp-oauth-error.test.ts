import { describe, expect, it } from 'vitest'
import { ConfigurationError } from './configuration-error.js'
import { OAuthError } from './oauth-error.js'
import { renderError } from './render-error.js'
import { SpOAuthError } from './sp-oauth-error.js'
import { StorageUnavailableError } from './storage-unavailable-error.js'

/** A second, separate copy of the error modules, as a CommonJS `require` beside an ESM `import` loads. */
async function secondCopy() {
  // A query makes another module instance; a variable keeps the type checker off the odd path.
  const load = (path: string): Promise<unknown> => import(/* @vite-ignore */ `${path}?second-copy`)
  const oauth = (await load('./oauth-error.js')) as typeof import('./oauth-error.js')
  const configuration = (await load('./configuration-error.js')) as typeof import('./configuration-error.js')
  return { OAuthError: oauth.OAuthError, ConfigurationError: configuration.ConfigurationError }
}

describe('SpOAuthError and its classes across copies of the package', () => {
  it('the second copy is another class indeed', async () => {
    const other = await secondCopy()
    expect(other.OAuthError).not.toBe(OAuthError)
    expect(Object.getPrototypeOf(other.OAuthError.insufficientScope()) === OAuthError.prototype).toBe(false)
  })

  it('an OAuthError of the other copy is an OAuthError and an SpOAuthError here, and renders with its own status, not a 500', async () => {
    const other = await secondCopy()
    const error = other.OAuthError.insufficientScope({ scope: 'invoices.write' })
    expect(error instanceof OAuthError).toBe(true)
    expect(error instanceof SpOAuthError).toBe(true)
    expect(error instanceof ConfigurationError).toBe(false)
    expect(error instanceof StorageUnavailableError).toBe(false)
    expect(renderError(error).status).toBe(403)
  })

  it('a ConfigurationError of the other copy is one here, and not an OAuthError', async () => {
    const other = await secondCopy()
    const error = new other.ConfigurationError(['issuer: required'])
    expect(error instanceof ConfigurationError).toBe(true)
    expect(error instanceof OAuthError).toBe(false)
  })

  it("an application's subclass keeps the ordinary check: a plain OAuthError is not one of it", () => {
    class PaymentRequired extends OAuthError {}
    expect(new PaymentRequired('access_denied') instanceof PaymentRequired).toBe(true)
    expect(new PaymentRequired('access_denied') instanceof OAuthError).toBe(true)
    expect(OAuthError.accessDenied() instanceof PaymentRequired).toBe(false)
  })

  it('other errors and values are not ours', () => {
    expect(new Error('x') instanceof SpOAuthError).toBe(false)
    expect((null as unknown) instanceof OAuthError).toBe(false)
    expect({ code: 'invalid_request' } instanceof OAuthError).toBe(false)
  })
})
