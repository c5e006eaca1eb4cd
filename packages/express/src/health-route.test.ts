import { createAuthorizationServer, webCrypto } from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { listen } from '@sp-oauth/node-http/test-support'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { createOAuthExpress } from './index.js'

describe('createOAuthExpress: healthPath', () => {
  it('serves the readiness route on oauth.routes: 200 with the statuses, no-store', async () => {
    const server = createAuthorizationServer({
      issuer: 'http://127.0.0.1',
      storage: createMemoryStorage(),
      crypto: webCrypto({ keys: [{ id: 'k1', secret: 'express-health-hash-key-0123456789ab' }] }),
    })
    const oauth = createOAuthExpress(server, {
      getUser: () => null,
      login: (_req, res) => {
        res.status(401).end()
      },
      renderConsent: (_req, res) => {
        res.end()
      },
      healthPath: '/oauth/health',
    })
    const app = express()
    app.use(oauth.routes)
    const started = await listen(app)
    try {
      const response = await fetch(`${started.origin}/oauth/health`)
      expect(response.status).toBe(200)
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(await response.json()).toEqual({
        status: 'ok',
        checks: { storage: 'ok', migrations: 'unknown', signingKeys: 'not used' },
      })
      expect((await fetch(`${started.origin}/oauth/health`, { method: 'POST' })).status).toBe(405)
    } finally {
      await started.close()
    }
  })
})
