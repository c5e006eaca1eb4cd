import { createRequire } from 'node:module'
import type * as Core from '@sp-oauth/core'
import type * as CoreMemory from '@sp-oauth/core/memory'
import type * as CoreNode from '@sp-oauth/core/node'
import { listen } from '@sp-oauth/node-http/test-support'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { createOAuthExpress } from './index.js'

// The app's own code `require`s the CommonJS build of core, while this adapter `import`s the ESM
// build: two copies of every class in one process. Their errors must still be recognised.
const require = createRequire(import.meta.url)
const cjsCore = require('@sp-oauth/core') as typeof Core
const cjsMemory = require('@sp-oauth/core/memory') as typeof CoreMemory
const cjsNode = require('@sp-oauth/core/node') as typeof CoreNode

describe('core loaded twice, CommonJS and ESM, in one app', () => {
  it('is loaded twice indeed', async () => {
    const esmCore = await import('@sp-oauth/core')
    expect(cjsCore.OAuthError).not.toBe(esmCore.OAuthError)
    expect(cjsCore.OAuthError.invalidToken() instanceof esmCore.OAuthError).toBe(true)
  })

  it("errors of the server made with the CommonJS core render with their status through the ESM adapter: 401, 403 and the token endpoint's 400, never a 500", async () => {
    const server = cjsCore.createAuthorizationServer({
      issuer: 'https://auth.example.com',
      storage: cjsMemory.createMemoryStorage(),
      crypto: cjsNode.nodeCrypto({
        keys: [{ id: 'k1', secret: 'a-hash-key-of-at-least-thirty-two-bytes!' }],
      }),
    })
    const { client, plaintextSecret } = await server.createClient({
      name: 'Dual',
      redirectUris: ['https://client.example.com/cb'],
      allowedGrants: ['client_credentials'],
      allowedScopes: ['invoices.read', 'invoices.write'],
      confidential: true,
    })
    const oauth = createOAuthExpress(server, {
      getUser: () => null,
      login: (_req, res) => {
        res.status(401).end()
      },
      renderConsent: (_req, res) => {
        res.status(500).end()
      },
    })
    const app = express()
    app.use(oauth.routes)
    app.get('/api', oauth.requireToken(), oauth.requireAllScopes('invoices.write'), (_req, res) => {
      res.json({ ok: true })
    })
    const listening = await listen(app)
    try {
      const token = await fetch(`${listening.origin}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.id,
          client_secret: plaintextSecret!,
          scope: 'invoices.read',
        }),
      })
      expect(token.status).toBe(200)
      const { access_token: accessToken } = (await token.json()) as { access_token: string }
      const call = (authorization: string) => fetch(`${listening.origin}/api`, { headers: { authorization } })

      const narrow = await call(`Bearer ${accessToken}`)
      expect(narrow.status).toBe(403)
      expect(narrow.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
      const unknown = await call('Bearer spoat_not-a-token-we-issued')
      expect(unknown.status).toBe(401)
      expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"')
      const badGrant = await fetch(`${listening.origin}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: client.id,
          client_secret: plaintextSecret!,
        }),
      })
      expect(badGrant.status).toBe(400)
      expect(await badGrant.json()).toMatchObject({ error: 'unsupported_grant_type' })
    } finally {
      await listening.close()
    }
  })
})
