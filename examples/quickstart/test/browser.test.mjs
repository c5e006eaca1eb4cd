// The whole seed flow in a real browser (headless Chromium through playwright-core): the demo
// partner app, login, the consent screen (deny, then approve and remember), the code exchange and
// the protected API, then a second sign-in that skips the consent screen.
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startInProcess, temporaryDir } from './helpers.mjs'

const CHROMIUM = process.env.SP_OAUTH_TEST_CHROMIUM ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const MISSING = `Chromium is not at ${CHROMIUM}: install it (apt-get install -y chromium; .ci/run does) or point SP_OAUTH_TEST_CHROMIUM at a Chromium binary.`

// Not a skip: without the browser the flow is untested, so this fails (and counts as failed) then.
it('finds Chromium', () => {
  expect(existsSync(CHROMIUM), MISSING).toBe(true)
})

describe('the seed flow in a browser', () => {
  const data = temporaryDir()
  /** @type {import('playwright-core').Browser | undefined} */
  let browser
  /** @type {import('playwright-core').Page} */
  let page
  /** @type {Awaited<ReturnType<typeof startInProcess>> | undefined} */
  let started
  let base = ''
  /** Every response to the authorization endpoint, to tell a consent screen from a silent approval. */
  /** @type {{ status: number }[]} */
  const authorizeResponses = []

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(MISSING)
    ;[browser, started] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
      startInProcess({ dataDir: data.dir }),
    ])
    base = new URL(started.quickstart.issuer).origin
    const context = await browser.newContext()
    page = await context.newPage()
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/oauth/authorize') {
        authorizeResponses.push({ status: response.status() })
      }
    })
  })

  afterAll(async () => {
    await browser?.close()
    await started?.quickstart.close()
    data.remove()
  })

  /** Opens the demo partner app and clicks "Sign in with sp-oauth". */
  const signInFromDemo = async (/** @type {string} */ button = '#sign-in') => {
    authorizeResponses.length = 0
    await page.goto(`${base}/demo`)
    // Wherever the click leads (login, consent or straight back to the callback), once it loaded.
    await Promise.all([page.waitForURL((url) => url.pathname !== '/demo'), page.click(button)])
  }

  it('denying on the consent screen brings access_denied back to the partner app', async () => {
    await signInFromDemo()
    expect(new URL(page.url()).pathname).toBe('/login')
    await page.fill('input[name=username]', 'demo')
    await page.fill('input[name=password]', 'demo')
    await Promise.all([page.waitForURL(/\/oauth\/authorize\?/), page.click('button[type=submit]')])

    expect(await page.textContent('#client-name')).toBe('Demo Partner App')
    expect(await page.textContent('#scopes')).toContain('invoices.read')
    await Promise.all([page.waitForURL(/\/demo\/callback\?/), page.click('#deny')])
    expect(await page.textContent('#error')).toBe('access_denied')
    expect(await page.textContent('#result')).toContain('You denied the request')
  })

  it('approving with "remember" gets a code, tokens, and the invoices from /partner/invoices', async () => {
    await signInFromDemo()
    // Still signed in: straight to the consent screen, which is asked again (nothing remembered).
    expect(authorizeResponses).toEqual([{ status: 200 }])
    expect(await page.textContent('h1')).toContain('Allow Demo Partner App')
    await page.check('#remember')
    await Promise.all([page.waitForURL(/\/demo\/callback\?/), page.click('#approve')])

    expect(await page.textContent('#api-status')).toBe('200')
    const invoices = await page.textContent('#invoices')
    expect(invoices).toContain('INV-2026-001')
    expect(invoices).toContain('Acme Corp')
    const principal = JSON.parse(/** @type {string} */ (await page.textContent('#principal')))
    expect(principal).toEqual({
      clientId: started?.quickstart.clients.partnerApp.id,
      userId: 'demo',
      grantType: 'authorization_code',
      scopes: ['invoices.read'],
    })
    const tokens = JSON.parse(/** @type {string} */ (await page.textContent('#tokens')))
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'invoices.read' })
    expect(tokens.access_token).toMatch(/^spoat_.{6}…/)
  })

  it('a second sign-in skips the consent screen (remembered), unless the client asks again', async () => {
    await signInFromDemo()
    expect(new URL(page.url()).pathname).toBe('/demo/callback')
    expect(authorizeResponses).toEqual([{ status: 302 }])
    expect(await page.textContent('#api-status')).toBe('200')
    expect(await page.textContent('#invoices')).toContain('INV-2026-002')

    await signInFromDemo('#sign-in-consent')
    expect(authorizeResponses).toEqual([{ status: 200 }])
    expect(await page.textContent('#client-name')).toBe('Demo Partner App')
  })

  it('a callback whose state is not the one sent is refused', async () => {
    await page.goto(`${base}/demo`)
    await page.goto(`${base}/demo/callback?code=forged&state=forged`)
    expect(await page.textContent('h1')).toContain('state does not match')
  })
})
