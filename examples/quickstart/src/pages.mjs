// The pages the authorization server shows people: home, login, consent and errors.
import { html, layout } from './html.mjs'

/** What each scope lets a client do, in words for the consent screen. */
const SCOPE_DESCRIPTIONS = new Map([
  ['invoices.read', 'See your invoices'],
  ['invoices.write', 'Create and change your invoices'],
])

/**
 * @param {{ user: string | null, metadataUrl: string, erpConnectorId: string }} page
 * @returns {string}
 */
export function homePage({ user, metadataUrl, erpConnectorId }) {
  return layout({
    title: 'Home',
    user,
    body: html`
<h1>sp-oauth quickstart</h1>
<p>An OAuth 2.0 authorization server on Express 5 and embedded PostgreSQL (PGlite).</p>
<ul>
  <li><a href="/demo">The demo partner app</a>: sign in, consent, and let it call <code>GET /partner/invoices</code>.</li>
  <li><a href="${metadataUrl}">Authorization server metadata</a> (RFC 8414): every endpoint.</li>
  <li>The ERP Connector (confidential client <code>${erpConnectorId}</code>): its secret was printed once, at the first start.</li>
</ul>`,
  })
}

/**
 * @param {{ returnTo: string, failed: boolean, again?: boolean }} page
 * @returns {string}
 */
export function loginPage({ returnTo, failed, again = false }) {
  return layout({
    title: 'Sign in',
    body: html`
<h1>Sign in</h1>
<p>The demo user is <code>demo</code> with password <code>demo</code>. (A real application signs
people in its own way; the OAuth server only asks it who is signed in.)</p>
${again ? html`<div class="card" role="status" id="reauthenticate">The application asks you to sign in again.</div>` : ''}
${failed ? html`<div class="card error" role="alert">Wrong user name or password.</div>` : ''}
<form method="post" action="/login">
  <input type="hidden" name="returnTo" value="${returnTo}">
  <label>User name <input type="text" name="username" autocomplete="username" required autofocus></label>
  <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit" class="primary">Sign in</button>
</form>`,
  })
}

/**
 * The consent screen: who asks, for what, and where the answer goes. One form posts the ticket to
 * the approve path, or with the Deny button to the deny path.
 *
 * @param {{ user: string, prompt: import('@sp-oauth/core/http').ConsentPrompt }} page
 * @returns {string}
 */
export function consentPage({ user, prompt }) {
  const { client, scopes } = prompt.request
  return layout({
    title: `Allow ${client.name}?`,
    user,
    body: html`
<h1>Allow <span id="client-name">${client.name}</span> to use your account?</h1>
<div class="card">
  <p><strong>${client.name}</strong> (a ${client.confidential ? 'confidential' : 'public'} client)
  asks for:</p>
  <ul id="scopes">${scopes.map(
    (scope) =>
      html`<li><code>${scope}</code>${SCOPE_DESCRIPTIONS.has(scope) ? html` – ${SCOPE_DESCRIPTIONS.get(scope)}` : ''}</li>`,
  )}</ul>
  <p>Your answer goes back to <code id="redirect-uri">${prompt.redirectUri}</code>.</p>
  <form method="post" action="${prompt.approvePath}">
    <input type="hidden" name="ticket" value="${prompt.ticket}">
    <label><input type="checkbox" name="remember" value="1" id="remember"> Remember this decision
      (don't ask again for these scopes)</label>
    <button type="submit" class="primary" id="approve">Approve</button>
    <button type="submit" formaction="${prompt.denyPath}" id="deny">Deny</button>
  </form>
</div>`,
  })
}

/**
 * An error the authorization server shows instead of redirecting (RFC 6749 §4.1.2.1: the client or
 * its redirect URI could not be trusted), or any other error page.
 *
 * @param {{ user: string | null, status: number, error: string, description: string | null }} page
 * @returns {string}
 */
export function errorPage({ user, status, error, description }) {
  return layout({
    title: 'Error',
    user,
    body: html`
<h1>This request cannot go on</h1>
<div class="card error" id="result">
  <p>HTTP ${status}: <code id="error">${error}</code></p>
  ${description ? html`<p>${description}</p>` : ''}
</div>
<p>Nothing was sent back to the application that sent you here. <a href="/">Home</a></p>`,
  })
}

/** Where a redirect URI leads, for people: its origin, or the scheme of an app's private-use URI. */
