import { describe, expect, it } from 'vitest'
import { escapeHtml, html } from '../src/html.mjs'
import { consentPage, errorPage, loginPage } from '../src/pages.mjs'

const HOSTILE = `"><script>alert('x')</script><img src=x onerror=alert(1)>`

/**
 * A consent prompt as the adapter hands it to `renderConsent`.
 *
 * @param {Record<string, unknown> & { redirectUri?: string }} overrides
 */
function prompt(overrides = {}) {
  return /** @type {import('@sp-oauth/core/http').ConsentPrompt} */ (
    /** @type {unknown} */ ({
      request: {
        client: { id: 'c1', name: 'ERP Connector', confidential: true },
        redirectUri: 'https://client.example.com/callback',
        scopes: ['invoices.read', 'invoices.write'],
        ...overrides,
      },
      ticket: 'q=response_type%3Dcode&e=1&k=k1&m="quoted"',
      approvePath: '/oauth/authorize/approve',
      denyPath: '/oauth/authorize/deny',
      redirectUri: overrides.redirectUri ?? 'https://client.example.com/callback',
      remembered: false,
    })
  )
}

describe('the pages escape what they show', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    )
    expect(html`<p>${'<b>'}${html`<i>kept</i>`}${null}${['<', '>']}</p>`.toString()).toBe(
      '<p>&lt;b&gt;<i>kept</i>&lt;&gt;</p>',
    )
  })

  it('shows the client name and scopes on the consent screen, escaped', () => {
    const page = consentPage({
      user: HOSTILE,
      prompt: prompt({ client: { id: 'c1', name: HOSTILE, confidential: false } }),
    })
    expect(page).not.toContain('<script>')
    expect(page).not.toContain('<img')
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;')
    expect(page).toContain('<code>invoices.read</code> – See your invoices')
    expect(page).toContain('<code>invoices.write</code> – Create and change your invoices')
  })

  it('posts the ticket to the approve path, or with Deny to the deny path, with a remember box', () => {
    const page = consentPage({ user: 'demo', prompt: prompt() })
    expect(page).toContain('<form method="post" action="/oauth/authorize/approve">')
    expect(page).toContain('value="q=response_type%3Dcode&amp;e=1&amp;k=k1&amp;m=&quot;quoted&quot;"')
    expect(page).toContain('<input type="checkbox" name="remember" value="1" id="remember">')
    expect(page).toContain('formaction="/oauth/authorize/deny"')
    expect(page).toContain('goes back to <code id="redirect-uri">https://client.example.com/callback</code>')
  })

  it('shows the full redirect URI, a loopback port included, so the user sees where the answer goes', () => {
    const page = consentPage({
      user: 'demo',
      prompt: prompt({ redirectUri: 'http://127.0.0.1:4444/callback' }),
    })
    expect(page).toContain('goes back to <code id="redirect-uri">http://127.0.0.1:4444/callback</code>')
  })

  it('the login page says when the application asks to sign in again', () => {
    expect(loginPage({ returnTo: '/x', failed: false, again: true })).toContain('asks you to sign in again')
    expect(loginPage({ returnTo: '/x', failed: false })).not.toContain('asks you to sign in again')
  })

  it('escapes the login form return address and the error description', () => {
    expect(loginPage({ returnTo: HOSTILE, failed: false })).not.toContain('<script>')
    const error = errorPage({ user: null, status: 400, error: HOSTILE, description: HOSTILE })
    expect(error).not.toContain('<script>')
    expect(error).not.toContain('<img')
  })
})
