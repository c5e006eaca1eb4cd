// The partner application, played by this same server under /demo so a newcomer can walk the
// seed's flow in a browser: it is an ordinary OAuth client (the demo *public* client, so PKCE
// instead of a secret) that talks to the authorization server only over HTTP, as a real one would.
import { timingSafeEqual } from 'node:crypto'
import express from 'express'
import { clearCookie, parseCookies } from './cookies.mjs'
import { html, layout } from './html.mjs'
import { generatePkce, randomState } from './pkce.mjs'

const FLOW_COOKIE = 'quickstart_demo_flow'
const FLOW_SECONDS = 600
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/**
 * @typedef {object} DemoPartnerAppOptions
 * @property {string} issuer the authorization server's issuer, checked against `iss` (RFC 9207)
 * @property {string} publicBaseUrl where browsers reach this server (the issuer's origin)
 * @property {string} authorizeUrl the authorization endpoint, as browsers reach it
 * @property {string} tokenUrl the token endpoint, as this process reaches it
 * @property {string} invoicesUrl the protected API, as this process reaches it
 * @property {string} clientId the demo public client
 * @property {string} redirectUri its registered redirect URI: `<publicBaseUrl>/demo/callback`
 * @property {ReturnType<import('./cookies.mjs').createCookieSigner>} cookies
 * @property {boolean} secureCookies
 * @property {(request: import('express').Request) => string | null} signedInUser for the page header
 */

/**
 * `GET /demo`: makes a PKCE verifier and `state`, keeps them in a signed cookie, and links to the
 * authorization endpoint. `GET /demo/callback`: checks `state` and `iss`, redeems the code at the
 * token endpoint, calls `GET /partner/invoices` with the access token and shows what came back.
 *
 * @param {DemoPartnerAppOptions} options
 * @returns {import('express').Router}
 */
export function createDemoPartnerApp(options) {
  const router = express.Router()
  const cookieOptions = { path: '/demo', secure: options.secureCookies }
  const publicHost = new URL(options.publicBaseUrl).host

  router.get('/demo', async (req, res) => {
    // Cookies belong to a host name: started on localhost, the flow would come back to 127.0.0.1
    // (the registered redirect URI) without its cookie. Start it on the right name instead.
    if (LOOPBACK_HOSTS.has(req.hostname) && req.headers.host !== publicHost) {
      res.redirect(303, `${options.publicBaseUrl}/demo`)
      return
    }
    const { codeVerifier, codeChallenge } = await generatePkce()
    const state = randomState()
    const flow = options.cookies.serialize(
      FLOW_COOKIE,
      { state, codeVerifier },
      { ...cookieOptions, maxAgeSeconds: FLOW_SECONDS },
    )
    const authorize = (/** @type {Record<string, string>} */ extra) => {
      const url = new URL(options.authorizeUrl)
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: options.clientId,
        redirect_uri: options.redirectUri,
        scope: 'invoices.read',
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        ...extra,
      }).toString()
      return url.toString()
    }
    res.set('cache-control', 'no-store').append('set-cookie', flow)
    res.send(
      layout({
        title: 'Demo partner app',
        user: options.signedInUser(req),
        body: html`
<h1>Demo partner app</h1>
<p>This page plays a partner application that wants to read your invoices. It is the demo
<strong>public</strong> client <code>${options.clientId}</code>: it holds no secret, so it proves
the code is its own with PKCE (RFC 7636).</p>
<div class="card">
  <p><a class="button primary" id="sign-in" href="${authorize({})}">Sign in with sp-oauth</a>
     <a class="button" id="sign-in-consent" href="${authorize({ prompt: 'consent' })}">… and ask for consent again</a></p>
  <p>The link asks for <code>invoices.read</code>. You sign in as <code>demo</code> / <code>demo</code>,
  approve, and come back to <code>/demo/callback</code>, which redeems the code and calls the API.</p>
</div>
<h2>What this page prepared</h2>
<table>
  <tr><th>state</th><td><code>${state}</code></td></tr>
  <tr><th>code_challenge</th><td><code>${codeChallenge}</code> (S256)</td></tr>
  <tr><th>code_verifier</th><td>kept server side, in a signed HttpOnly cookie, for the callback</td></tr>
</table>
<p>Authorization URL:</p>
<pre>${authorize({})}</pre>`,
      }),
    )
  })

  router.get('/demo/callback', async (req, res) => {
    const query = new URL(req.originalUrl, 'http://localhost').searchParams
    const flow = options.cookies.read(parseCookies(req.headers.cookie), FLOW_COOKIE)
    res.set('cache-control', 'no-store').append('set-cookie', clearCookie(FLOW_COOKIE, cookieOptions))
    const page = (
      /** @type {number} */ status,
      /** @type {string} */ title,
      /** @type {import('./html.mjs').SafeHtml} */ body,
    ) => res.status(status).send(layout({ title, user: options.signedInUser(req), body }))
    const again = html`<p><a class="button" href="/demo">Start again</a></p>`

    if (flow === null || typeof flow.state !== 'string' || typeof flow.codeVerifier !== 'string') {
      page(
        400,
        'No sign-in in progress',
        html`<h1>No sign-in in progress</h1>
<div class="card error"><p>This browser has no pending sign-in (it expired after ${FLOW_SECONDS / 60}
minutes, or was already used). Start again from the demo page.</p></div>${again}`,
      )
      return
    }
    if (!sameText(query.get('state') ?? '', flow.state)) {
      page(
        400,
        'State mismatch',
        html`<h1>Refused: state does not match</h1>
<div class="card error"><p>The <code>state</code> that came back is not the one this app sent, so
this response may have been forged (cross-site request forgery, RFC 6749 §10.12).</p></div>${again}`,
      )
      return
    }
    const iss = query.get('iss')
    if (iss !== null && iss !== options.issuer) {
      page(
        400,
        'Wrong issuer',
        html`<h1>Refused: wrong issuer</h1>
<div class="card error"><p>The response names issuer <code>${iss}</code>, not
<code>${options.issuer}</code> (RFC 9207).</p></div>${again}`,
      )
      return
    }
    const error = query.get('error')
    if (error !== null) {
      page(
        200,
        'Authorization refused',
        html`<h1>The authorization server said no</h1>
<div class="card error" id="result"><p><code id="error">${error}</code>${
          query.get('error_description') ? html`: ${query.get('error_description')}` : ''
        }</p>
<p>${error === 'access_denied' ? 'You denied the request on the consent screen.' : ''}</p></div>${again}`,
      )
      return
    }
    const code = query.get('code')
    if (code === null) {
      page(400, 'No code', html`<h1>No authorization code in the response</h1>${again}`)
      return
    }

    // The partner app's back end redeems the code, as any client would: a form POST to the token
    // endpoint with the PKCE verifier (a public client sends its client_id and no secret).
    const tokenResponse = await fetch(options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: options.clientId,
        code,
        redirect_uri: options.redirectUri,
        code_verifier: flow.codeVerifier,
      }),
    })
    const tokens = await tokenResponse.json()
    if (!tokenResponse.ok) {
      page(
        200,
        'Code exchange refused',
        html`<h1>The token endpoint refused the code</h1>
<div class="card error" id="result"><p>HTTP ${tokenResponse.status}: <code id="error">${tokens.error}</code>
${tokens.error_description ?? ''}</p></div>${again}`,
      )
      return
    }
    const api = await fetch(options.invoicesUrl, {
      headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' },
    })
    const apiBody = await api.json()
    const shownTokens = {
      ...tokens,
      access_token: abbreviate(tokens.access_token),
      ...(tokens.refresh_token ? { refresh_token: abbreviate(tokens.refresh_token) } : {}),
    }
    page(
      200,
      'Signed in',
      html`<h1>Signed in: the partner app called your API</h1>
<div class="card ${api.ok ? 'ok' : 'error'}" id="result">
<p><code>GET /partner/invoices</code> answered <strong id="api-status">${api.status}</strong>
with the access token it got for <code>${tokens.scope}</code>.</p>
${
  api.ok
    ? html`<table id="invoices"><tr><th>Invoice</th><th>Customer</th><th>Amount</th><th>Status</th></tr>
${apiBody.invoices.map(
  (
    /** @type {{ id: string, customer: string, amount: string, currency: string, status: string }} */ invoice,
  ) =>
    html`<tr><td>${invoice.id}</td><td>${invoice.customer}</td><td>${invoice.amount} ${invoice.currency}</td><td>${invoice.status}</td></tr>`,
)}</table>
<p>The API saw this principal:</p><pre id="principal">${JSON.stringify(apiBody.principal, null, 2)}</pre>`
    : html`<pre>${JSON.stringify(apiBody, null, 2)}</pre>`
}
</div>
<h2>Token response</h2>
<pre id="tokens">${JSON.stringify(shownTokens, null, 2)}</pre>
<p>The code in this page's address is spent: a code is redeemed once, and this page's flow
cookie is gone, so reloading shows "no sign-in in progress".</p>${again}`,
    )
  })

  return router
}

/** @param {string} a @param {string} b */
function sameText(a, b) {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** A token for showing: its start and end, never the whole of it. @param {string} token */
function abbreviate(token) {
  return token.length <= 16 ? token : `${token.slice(0, 12)}…${token.slice(-4)}`
}
