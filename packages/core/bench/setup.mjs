// Servers and fixtures shared by the scenarios: in-memory storage, the system clock, no events.
import { createAuthorizationServer, s256Challenge, webCrypto } from '../dist/index.js'
import { createMemoryStorage } from '../dist/memory.js'
import { nodeCrypto } from '../dist/node.js'

export const HASHERS = ['web-crypto', 'node']
export const HASH_KEYS = { keys: [{ id: 'k1', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }
const REDIRECT_URI = 'https://client.example.com/callback'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'

/** A server on in-memory storage hashing with `hasher` (`web-crypto` or `node`). */
export function createBenchServer(hasher, options = {}) {
  return createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage: createMemoryStorage(),
    crypto: hasher === 'node' ? nodeCrypto(HASH_KEYS) : webCrypto(HASH_KEYS),
    ...options,
  })
}

/** A confidential client; returns `{ id, secret }`. */
export async function createBenchClient(server, allowedGrants) {
  const { client, plaintextSecret } = await server.createClient({
    name: 'Bench client',
    redirectUris: [REDIRECT_URI],
    allowedGrants,
    allowedScopes: ['invoices.read', 'invoices.write'],
    confidential: true,
  })
  return { id: client.id, secret: plaintextSecret }
}

export function clientCredentialsRequest(client) {
  return {
    body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret },
  }
}

/** `n` token requests that each redeem a fresh authorization code (PKCE S256); untimed set-up. */
export async function codeExchangeRequests(server, client, n) {
  const challenge = await s256Challenge(VERIFIER)
  const requests = []
  for (let i = 0; i < n; i++) {
    const request = await server.validateAuthorizationRequest({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: REDIRECT_URI,
      scope: 'invoices.read',
      state: 'bench',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })
    const { code } = await server.approveAuthorizationRequest(request, 'user-1')
    requests.push({
      body: {
        grant_type: 'authorization_code',
        client_id: client.id,
        client_secret: client.secret,
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: VERIFIER,
      },
    })
  }
  return requests
}

/** `n` refresh requests, each for a fresh, unrotated refresh token; untimed set-up. */
export async function refreshRequests(server, client, n) {
  const requests = []
  for (const exchange of await codeExchangeRequests(server, client, n)) {
    const tokens = await server.issueTokenFromRequest(exchange)
    requests.push({
      body: {
        grant_type: 'refresh_token',
        client_id: client.id,
        client_secret: client.secret,
        refresh_token: tokens.refresh_token,
      },
    })
  }
  return requests
}

/** `Authorization` headers of `n` access tokens issued by client_credentials. */
export async function bearerHeaders(server, n) {
  const client = await createBenchClient(server, ['client_credentials'])
  const headers = []
  for (let i = 0; i < n; i++) {
    const { access_token } = await server.issueTokenFromRequest(clientCredentialsRequest(client))
    headers.push({ authorization: `Bearer ${access_token}` })
  }
  return headers
}
