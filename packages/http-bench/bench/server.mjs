// The server side of the HTTP bench, in a child process of its own (the load generator has the
// other core): one framework serving the sp-oauth routes and, beside them, bare routes that do
// only the crypto of the same request. The parent asks over IPC for one-time credentials (codes,
// refresh tokens) before each measured segment.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { createNodeCrypto } from '@sp-oauth/core/node'
import { createOAuthExpress } from '@sp-oauth/express'
import { createOAuthKoa } from '@sp-oauth/koa'
import express from 'express'
import Koa from 'koa'

const framework = process.argv[2]
const HASH_SECRET = 'bench-hash-key-0123456789abcdef0123456789'
const REDIRECT_URI = 'https://client.example.com/callback'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url')

const server = createAuthorizationServer({
  issuer: 'http://127.0.0.1',
  // The storage's one-step issuance, as the SQL storages offer it: the core's fastest path.
  storage: createMemoryStorage({ atomicIssuance: true }),
  ...createNodeCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }),
})
const { client, plaintextSecret } = await server.createClient({
  name: 'Bench client',
  redirectUris: [REDIRECT_URI],
  allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
  allowedScopes: ['invoices.read'],
  confidential: true,
})
const credentials = { client_id: client.id, client_secret: plaintextSecret }

// --- The bare routes: the request's crypto and nothing else, with node:crypto like the core's hasher.
const hmacKey = Buffer.from(HASH_SECRET)
const hmac = (value) => createHmac('sha256', hmacKey).update(value).digest()
const secretHash = hmac(plaintextSecret)
const bareAccessTokens = new Map()
const newToken = () => {
  const token = randomBytes(32).toString('base64url')
  bareAccessTokens.set(hmac(token).toString('base64url'), client.id)
  return token
}
const bareToken = (form) => {
  const grant = form.get('grant_type')
  const presented = hmac(form.get('client_secret') ?? '')
  if (!timingSafeEqual(presented, secretHash)) return null
  if (grant === 'authorization_code') {
    hmac(form.get('code') ?? '')
    createHash('sha256')
      .update(form.get('code_verifier') ?? '')
      .digest('base64url')
  } else if (grant === 'refresh_token') {
    hmac(form.get('refresh_token') ?? '')
  }
  const body = { access_token: newToken(), token_type: 'Bearer', expires_in: 3600, scope: 'invoices.read' }
  if (grant !== 'client_credentials') body.refresh_token = newToken()
  return body
}
const bareBearer = (authorization) => {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : ''
  return bareAccessTokens.get(hmac(token).toString('base64url')) ?? null
}
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json' }
const readBody = async (request) => {
  const chunks = []
  for await (const chunk of request) chunks.push(chunk)
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

// --- One-time credentials the parent asks for before a segment.
async function code() {
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  })
  return (await server.approveAuthorizationRequest(request, 'bench-user')).code
}
async function refreshToken() {
  const tokens = await server.issueTokenFromRequest({
    body: {
      grant_type: 'authorization_code',
      code: await code(),
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER,
      ...credentials,
    },
  })
  return tokens.refresh_token
}
async function prepare(kind, count) {
  const make = kind === 'codes' ? code : kind === 'refresh-tokens' ? refreshToken : null
  if (make === null) throw new Error(`unknown credential kind ${kind}`)
  const values = []
  for (let i = 0; i < count; i++) values.push(await make())
  return values
}

const ourAccessToken = (
  await server.issueTokenFromRequest({
    body: { grant_type: 'client_credentials', scope: 'invoices.read', ...credentials },
  })
).access_token
const bareAccessToken = newToken()

const hooks = { getUser: () => null, login: () => {}, renderConsent: () => {} }
const invoices = { invoices: [{ id: 'inv-1', amount: 120 }] }

function expressApp() {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  const oauth = createOAuthExpress(server, {
    ...hooks,
    login: (_req, res) => res.end(),
    renderConsent: (_req, res) => res.end(),
  })
  app.use(oauth.router)
  app.get('/partner/invoices', oauth.requireToken(), oauth.requireAllScopes('invoices.read'), (_req, res) => {
    res.json(invoices)
  })
  app.post('/bare/token', async (req, res) => {
    const body = bareToken(await readBody(req))
    res
      .status(body ? 200 : 401)
      .set(NO_STORE)
      .send(JSON.stringify(body ?? { error: 'invalid_client' }))
  })
  app.get('/bare/invoices', (req, res) => {
    if (!bareBearer(req.headers.authorization)) return res.status(401).end()
    res.json(invoices)
  })
  return app.listen(0, '127.0.0.1')
}

function koaApp() {
  const app = new Koa()
  const oauth = createOAuthKoa(server, {
    ...hooks,
    login: (ctx) => {
      ctx.body = ''
    },
    renderConsent: (ctx) => {
      ctx.body = ''
    },
  })
  const protectedRoute = [oauth.requireToken(), oauth.requireAllScopes('invoices.read')]
  app.use(oauth.middleware)
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/partner/invoices') {
      await protectedRoute[0](ctx, () =>
        protectedRoute[1](ctx, async () => {
          ctx.body = invoices
        }),
      )
      return
    }
    if (ctx.method === 'POST' && ctx.path === '/bare/token') {
      const body = bareToken(await readBody(ctx.req))
      ctx.status = body ? 200 : 401
      ctx.set(NO_STORE)
      ctx.body = JSON.stringify(body ?? { error: 'invalid_client' })
      return
    }
    if (ctx.method === 'GET' && ctx.path === '/bare/invoices') {
      if (!bareBearer(ctx.get('authorization'))) ctx.status = 401
      else ctx.body = invoices
      return
    }
    await next()
  })
  return app.listen(0, '127.0.0.1')
}

const listener = framework === 'express' ? expressApp() : framework === 'koa' ? koaApp() : null
if (listener === null) throw new Error(`unknown framework ${framework}`)
listener.on('listening', () => {
  process.send({
    ready: true,
    port: listener.address().port,
    credentials,
    verifier: VERIFIER,
    redirectUri: REDIRECT_URI,
    ourAccessToken,
    bareAccessToken,
  })
})
process.on('message', async (message) => {
  if (message.prepare) process.send({ prepared: await prepare(message.prepare, message.count) })
  if (message.exit) listener.close(() => process.exit(0))
})
