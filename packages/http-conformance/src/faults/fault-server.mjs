// The app a fault test runs in a child process, so that a crash shows as the process exiting. It
// is set up exactly as the READMEs show, nothing added: `@sp-oauth/postgres` on a `pg.Pool` with
// the pool's `error` listener (packages/postgres/README.md), or `@sp-oauth/mysql` on a mysql2
// `createPool` (packages/mysql/README.md); Express 5 with `@sp-oauth/express` or Koa 3 with
// `@sp-oauth/koa`, and a protected route (their READMEs). Plain JavaScript on the built packages,
// as an app runs them.
//
// Environment: SP_OAUTH_FAULT_DB (`postgres` | `mysql`), SP_OAUTH_FAULT_URL (the database URL),
// SP_OAUTH_FAULT_SCHEMA (PostgreSQL only), SP_OAUTH_FAULT_ADAPTER (`express`, the default, or
// `koa`). Tells the parent over IPC: { port, clients }.
import { createServer } from 'node:http'
import { createAuthorizationServer, webCrypto } from '@sp-oauth/core'
import { createOAuthExpress } from '@sp-oauth/express'
import { createOAuthKoa } from '@sp-oauth/koa'
import { createMysqlStorage } from '@sp-oauth/mysql'
import { createPostgresStorage } from '@sp-oauth/postgres'
import express from 'express'
import Koa from 'koa'
import { createPool } from 'mysql2'
import pg from 'pg'

/**
 * The test's load comes from 127.0.0.1 alone, hundreds of requests a second: the default request
 * limits would answer 429 where the test looks at what the database faults do. They stay on, with
 * room for that load.
 */
const ROOM = { limit: 1_000_000, windowSeconds: 60 }
const LOAD_FROM_ONE_ADDRESS = {
  perAddress: { authorize: ROOM, token: ROOM, revoke: ROOM, introspect: ROOM },
  perClient: { authorize: ROOM, token: ROOM, revoke: ROOM, introspect: ROOM },
}

const kind = process.env.SP_OAUTH_FAULT_DB
const databaseUrl = process.env.SP_OAUTH_FAULT_URL ?? ''

function createStorage() {
  if (kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: databaseUrl })
    // As the postgres README asks of every pool.
    pool.on('error', (error) => console.error('pool error:', error.message))
    return createPostgresStorage({ pool }, { schema: process.env.SP_OAUTH_FAULT_SCHEMA })
  }
  if (kind === 'mysql') {
    const url = new URL(databaseUrl)
    const pool = createPool({
      host: url.hostname,
      port: url.port === '' ? 3306 : Number(url.port),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
      timezone: 'Z', // store times in UTC
    })
    return createMysqlStorage({ pool })
  }
  throw new Error(`SP_OAUTH_FAULT_DB must be postgres or mysql, not ${kind}`)
}

const storage = createStorage()
await storage.migrate()
const server = createAuthorizationServer({
  issuer: 'https://auth.example.com',
  storage,
  crypto: webCrypto({ keys: [{ id: 'k1', secret: 'fault-test-hash-key-0123456789abcdef01234567' }] }),
})

async function createClient(input) {
  const { client, plaintextSecret } = await server.createClient(input)
  return { id: client.id, secret: plaintextSecret }
}
const clients = {
  web: await createClient({
    name: 'Web client',
    redirectUris: ['https://client.example.com/callback'],
    allowedGrants: ['authorization_code', 'refresh_token'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  }),
  machine: await createClient({
    name: 'Machine client',
    redirectUris: [],
    allowedGrants: ['client_credentials'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  }),
}

/** The signed-in user: the test names it in a header; an app reads its session. */
function userOf(headers) {
  const user = headers['x-test-user']
  return typeof user === 'string' && user !== '' ? { user, session: 'fault-session' } : null
}

function expressApp() {
  const oauth = createOAuthExpress(server, {
    getUser: (req) => userOf(req.headers),
    login: (_req, res, returnTo) => res.redirect(`/login?returnTo=${encodeURIComponent(returnTo)}`),
    renderConsent: (_req, res, prompt) => {
      res.json({ ticket: prompt.ticket, approvePath: prompt.approvePath })
    },
    rateLimit: LOAD_FROM_ONE_ADDRESS,
  })
  const app = express()
  app.disable('x-powered-by')
  app.use(oauth.routes)
  app.get('/partner/invoices', oauth.requireToken(), oauth.requireAllScopes('invoices.read'), (req, res) => {
    res.json({ client: req.oauth.clientId, user: req.oauth.userId })
  })
  return app
}

function koaApp() {
  const oauth = createOAuthKoa(server, {
    getUser: (ctx) => userOf(ctx.req.headers),
    login: (ctx, returnTo) => ctx.redirect(`/login?returnTo=${encodeURIComponent(returnTo)}`),
    renderConsent: (ctx, prompt) => {
      ctx.body = { ticket: prompt.ticket, approvePath: prompt.approvePath }
    },
    rateLimit: LOAD_FROM_ONE_ADDRESS,
  })
  const app = new Koa()
  app.use(oauth.routes)
  const readInvoices = oauth.requireAllScopes('invoices.read') // checks the bearer token too
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET' || ctx.path !== '/partner/invoices') return next()
    await readInvoices(ctx, async () => {
      ctx.body = { client: ctx.state.oauth.clientId, user: ctx.state.oauth.userId }
    })
  })
  return app.callback()
}

const listener = createServer(process.env.SP_OAUTH_FAULT_ADAPTER === 'koa' ? koaApp() : expressApp())
listener.listen(0, '127.0.0.1', () => {
  process.send?.({ port: listener.address().port, clients })
})
// The parent ends the test by disconnecting: close, and let the pool end.
process.on('disconnect', () => {
  listener.close()
  listener.closeAllConnections?.()
  storage.close().catch(() => undefined)
})
