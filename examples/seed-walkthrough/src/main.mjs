// The seed tutorial, step by step, in one process: a real @sp-oauth/core server on in-memory
// storage, with the client and the protected API played by plain function calls.
// Run it with `pnpm walkthrough` from the repository root, or `pnpm start` here.
import { pathToFileURL } from 'node:url'
import { createAuthorizationServer, OAuthError, requireAllScopes, webCrypto } from '@sp-oauth/core'
import { HTTP_DEFAULTS } from '@sp-oauth/core/http'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { createEventBus } from '@sp-oauth/events'
import { generatePkce, randomState } from './pkce.mjs'

const ISSUER = 'https://auth.example.com'
const REDIRECT_URI = 'https://client.example.com/callback'
const USER = 'user-42'

/** A check of the walkthrough itself failed: the library did not do what the tutorial says. */
class WalkthroughError extends Error {
  name = 'WalkthroughError'
}

function check(condition, message) {
  if (!condition) throw new WalkthroughError(message)
}

/** Awaits a call that must be refused with an OAuthError; returns that error. */
async function refusal(promise, what) {
  try {
    await promise
  } catch (error) {
    if (error instanceof OAuthError) return error
    throw error
  }
  throw new WalkthroughError(`${what} should have been refused, but it succeeded`)
}

/** A token for printing: its start and end, never the whole of it. */
export function abbreviate(token) {
  return token.length <= 16 ? token : `${token.slice(0, 12)}…${token.slice(-4)} (${token.length} chars)`
}

/**
 * Runs the seed tutorial and reports each step through `log` (one call per line). Resolves with the
 * events the bus delivered; rejects with a `WalkthroughError` when a step does not behave as the
 * tutorial says.
 */
export async function runWalkthrough({ log = console.log } = {}) {
  const step = (number, title) => log(`\n${number}. ${title}`)
  const show = (label, value) => log(`   ${label.padEnd(21)} ${value}`)
  const note = (text) => log(`   ${text}`)
  log('sp-oauth: the seed tutorial, run in process on in-memory storage')

  // 1. The server. In production the hash key comes from a secret store, never from code.
  step(1, 'Authorization server ready')
  const events = []
  const bus = createEventBus()
  bus.subscribeAll((event) => {
    events.push(event)
  })
  const issuedTokens = []
  bus.subscribe('OAuthTokenIssued', (event) => {
    issuedTokens.push(event.accessTokenId)
  })
  const hashKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
  const storage = createMemoryStorage()
  const server = createAuthorizationServer({
    issuer: ISSUER,
    storage,
    crypto: webCrypto({ keys: [{ id: 'k1', secret: hashKey }] }),
    eventPublisher: bus,
  })
  show('issuer', server.config.issuer)
  show('routes under', `/${HTTP_DEFAULTS.routePrefix} (where the HTTP adapters mount them by default)`)
  show('storage', 'in memory (createMemoryStorage from @sp-oauth/core/memory)')
  show('events', 'createEventBus() from @sp-oauth/events')

  // 2. A confidential client.
  step(2, 'Client created')
  const { client, plaintextSecret } = await server.createClient({
    name: 'ERP Connector',
    redirectUris: [REDIRECT_URI],
    allowedGrants: ['authorization_code', 'refresh_token'],
    allowedScopes: ['invoices.read', 'invoices.write'],
    confidential: true,
  })
  check(/^[0-9a-f]{64}$/.test(plaintextSecret), 'the client secret is 64 hex characters')
  const stored = await storage.repositories.clients.findById(client.id)
  check(
    !JSON.stringify(stored).includes(plaintextSecret),
    'the stored client must not contain the plaintext secret',
  )
  show('name', client.name)
  show('client id', client.id)
  show('client secret', plaintextSecret)
  note('↳ shown this once: the server keeps only its HMAC-SHA256 hash, so store it on the client now.')
  show('stored as', `secretHash ${abbreviate(stored.secretHash)} (key ${stored.secretHashKeyId})`)

  // 3. The client builds the authorization URL, with PKCE S256 and an anti-CSRF state.
  step(3, 'Authorization URL built (client side)')
  const authorize = async () => {
    const pkce = await generatePkce()
    const state = randomState()
    const url = new URL(`/${HTTP_DEFAULTS.routePrefix}/authorize`, ISSUER)
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: REDIRECT_URI,
      scope: 'invoices.read',
      state,
      code_challenge: pkce.codeChallenge,
      code_challenge_method: 'S256',
    }).toString()
    return { url, state, pkce }
  }
  const first = await authorize()
  show('code_verifier', `${abbreviate(first.pkce.codeVerifier)}, kept by the client`)
  show('code_challenge', `${first.pkce.codeChallenge} = BASE64URL(SHA-256(verifier))`)
  show('state', first.state)
  show('GET', first.url.toString())

  // 4. Server side: validate, show the consent screen, approve and remember.
  step(4, 'Authorization request validated, consent approved and remembered (server side)')
  const request = await server.validateAuthorizationRequest(first.url.searchParams)
  show('client', request.client.name)
  show('scopes', request.scopes.join(' '))
  show('PKCE', `${request.codeChallengeMethod} challenge bound to the code`)
  const approval = await server.approveAuthorizationRequest(request, USER, {
    scopes: request.scopes,
    claims: {},
    remember: true,
  })
  const callback = new URL(approval.redirectUrl)
  check(callback.searchParams.get('state') === first.state, 'the redirect carries the state back')
  check(callback.searchParams.get('iss') === ISSUER, 'the redirect names the issuer (RFC 9207)')
  show('user', `${USER} approved, remember: true`)
  show('code', `${abbreviate(approval.code)}, one-time, expires ${approval.expiresAt.toISOString()}`)
  show('redirect to', approval.redirectUrl)
  note('↳ the client checks that state is the one it sent and iss is this server (RFC 9207).')

  step('4b', 'A second request skips the consent screen (remembered consent)')
  const second = await server.validateAuthorizationRequest((await authorize()).url.searchParams)
  const remembered = await server.hasConsent({ user: USER, clientId: client.id, scopes: second.scopes })
  check(remembered, 'the remembered consent covers the second request')
  const silent = await server.approveAuthorizationRequest(second, USER)
  show('hasConsent', `${remembered}: approved without showing the screen`)
  show('code', `${abbreviate(silent.code)} (issued at once; not redeemed here)`)

  // 5. The client exchanges the code at the token endpoint.
  step(5, 'Code exchanged for tokens (POST /oauth/token)')
  const tokens = await server.issueTokenFromRequest({
    body: {
      grant_type: 'authorization_code',
      client_id: client.id,
      client_secret: plaintextSecret,
      code: callback.searchParams.get('code'),
      redirect_uri: REDIRECT_URI,
      code_verifier: first.pkce.codeVerifier,
    },
  })
  check(tokens.refresh_token !== undefined, 'the code exchange returns a refresh token')
  const printable = {
    ...tokens,
    access_token: abbreviate(tokens.access_token),
    refresh_token: abbreviate(tokens.refresh_token),
  }
  for (const line of JSON.stringify(printable, null, 2).split('\n')) note(line)

  // 6 and 7. A protected route: authenticate the bearer token, then require scopes.
  const protectedCall = async (accessToken, scopes) => {
    try {
      const principal = await server.authenticateBearer({ authorization: `Bearer ${accessToken}` })
      requireAllScopes(principal, scopes)
      return { status: 200, principal }
    } catch (error) {
      const response = server.renderError(error)
      return { status: response.status, response, error }
    }
  }
  step(6, 'Protected call allowed: GET /partner/invoices needs invoices.read')
  const allowed = await protectedCall(tokens.access_token, ['invoices.read'])
  check(allowed.status === 200, `the call with invoices.read is allowed (got ${allowed.status})`)
  const { principal } = allowed
  show('status', '200')
  step(7, 'The principal')
  show('clientId', principal.clientId)
  show('userId', principal.userId)
  show('grantType', principal.grantType)
  show('scopes', principal.scopes.join(' '))
  show("can('invoices.read')", principal.can('invoices.read'))
  show("can('invoices.write')", principal.can('invoices.write'))
  requireAllScopes(principal, ['invoices.read'])
  show('requireAllScopes', "['invoices.read'] ok")
  check(principal.can('invoices.read') && !principal.can('invoices.write'), 'can() reflects the scopes')

  step('7b', 'Protected call refused: POST /partner/invoices needs invoices.write')
  const refused = await protectedCall(tokens.access_token, ['invoices.write'])
  check(refused.error?.code === 'insufficient_scope', 'a missing scope is insufficient_scope')
  show('error', refused.error.code)
  show('status', refused.response.status)
  show('WWW-Authenticate', refused.response.headers['www-authenticate'])
  show('body', JSON.stringify(refused.response.body))

  // 8. Refresh: the refresh token rotates; sending the old one again revokes the family.
  step(8, 'Refresh token rotated (grant_type=refresh_token)')
  const refreshBody = (refreshToken) => ({
    body: {
      grant_type: 'refresh_token',
      client_id: client.id,
      client_secret: plaintextSecret,
      refresh_token: refreshToken,
    },
  })
  const rotated = await server.issueTokenFromRequest(refreshBody(tokens.refresh_token))
  check(rotated.refresh_token !== tokens.refresh_token, 'rotation issues a new refresh token')
  show('new access', abbreviate(rotated.access_token))
  show('new refresh', abbreviate(rotated.refresh_token))
  show('old refresh', `${abbreviate(tokens.refresh_token)} is now used up`)
  // The client goes on with its new token: from now on the first one can only come from a thief.
  // (Sent again at once, before the new one is used, it would be taken for a retry of a lost
  // response: refreshTokenReuseGraceSeconds, 10 by default.)
  const latest = await server.issueTokenFromRequest(refreshBody(rotated.refresh_token))
  check(latest.refresh_token !== rotated.refresh_token, 'the new refresh token rotates in its turn')
  show('next refresh', `${abbreviate(latest.refresh_token)} (the client refreshed again)`)

  step('8b', 'The first refresh token sent again: reuse detected, family revoked')
  const reuse = await refusal(
    server.issueTokenFromRequest(refreshBody(tokens.refresh_token)),
    'refresh reuse',
  )
  check(reuse.code === 'invalid_grant', 'reusing a rotated refresh token is invalid_grant')
  show('old refresh', `refused: ${reuse.code} (${reuse.description})`)
  const afterReuse = await refusal(
    server.issueTokenFromRequest(refreshBody(latest.refresh_token)),
    'the latest refresh token after reuse',
  )
  show('new refresh', `refused too: ${afterReuse.code} (${afterReuse.description})`)
  const familyAccess = await protectedCall(latest.access_token, ['invoices.read'])
  check(familyAccess.status === 401, 'the family’s access token is revoked with it')
  show('new access', `refused too: ${familyAccess.status} ${familyAccess.error.code}`)
  note('↳ a stolen refresh token used by two parties ends the whole grant (RFC 9700 §4.14.2).')

  // 9. A fresh grant (consent remembered, so no screen), then revoke its access token (RFC 7009).
  step(9, 'Fresh grant revoked (RFC 7009), protected call refused')
  const fresh = await authorize()
  const freshApproval = await server.approveAuthorizationRequest(
    await server.validateAuthorizationRequest(fresh.url.searchParams),
    USER,
  )
  const freshTokens = await server.issueTokenFromRequest({
    body: {
      grant_type: 'authorization_code',
      client_id: client.id,
      client_secret: plaintextSecret,
      code: freshApproval.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: fresh.pkce.codeVerifier,
    },
  })
  const before = await protectedCall(freshTokens.access_token, ['invoices.read'])
  check(before.status === 200, 'the fresh access token works before revocation')
  show('access token', `${abbreviate(freshTokens.access_token)}: call allowed (200)`)
  const revoked = await server.revokeToken({ token: freshTokens.access_token, hint: 'access_token' })
  check(revoked, 'revokeToken revoked the access token')
  show('revokeToken', `{ hint: 'access_token' } → ${revoked}`)
  const after = await protectedCall(freshTokens.access_token, ['invoices.read'])
  check(after.error?.code === 'invalid_token' && after.status === 401, 'a revoked token is invalid_token')
  show('status', after.status)
  show('WWW-Authenticate', after.response.headers['www-authenticate'])

  // 10. What the bus delivered, in order. No event carries a secret or a token.
  step(10, `Events received through the bus (${events.length})`)
  for (const event of events) note(`${event.type.padEnd(32)} ${describeEvent(event)}`)
  const everything = JSON.stringify(events)
  const secrets = [plaintextSecret, tokens.access_token, tokens.refresh_token, approval.code, hashKey]
  check(
    secrets.every((secret) => !everything.includes(secret)),
    'no event carries a secret, code or token',
  )
  check(issuedTokens.length === 4, `four OAuthTokenIssued events (got ${issuedTokens.length})`)
  note('↳ none of them carries a secret, code or token: only ids.')

  log('\nWalkthrough complete: every step behaved as the seed describes.')
  return { events }
}

function describeEvent(event) {
  switch (event.type) {
    case 'OAuthClientCreated':
      return `client ${event.name}`
    case 'OAuthAuthorizationApproved':
      return `user ${event.userId}, scopes ${event.scopes.join(' ')}, remembered ${event.remembered}`
    case 'OAuthTokenIssued':
      return `${event.grantType}, access token ${event.accessTokenId.slice(0, 8)}…`
    case 'OAuthRefreshTokenRotated':
      return `family ${event.familyId.slice(0, 8)}…`
    case 'OAuthRefreshTokenReuseDetected':
      return `family ${event.familyId.slice(0, 8)}… revoked`
    case 'OAuthTokenRevoked':
      return `${event.tokenType} ${event.tokenId.slice(0, 8)}…`
    default:
      return `client ${event.clientId ?? '-'}`
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await runWalkthrough()
  } catch (error) {
    console.error(`\nThe walkthrough failed: ${error instanceof Error ? error.message : String(error)}`)
    if (!(error instanceof WalkthroughError)) console.error(error)
    process.exitCode = 1
  }
}
