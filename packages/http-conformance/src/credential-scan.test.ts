import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { collectedCredentials, leakedCredentials } from './support/credential-scan.js'

describe('the credential scan every file of the suite runs', () => {
  it('collects what a request and its response carry: secrets, codes, verifiers, tokens', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ access_token: 'spoat_access-token-from-the-response' }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const response = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('client:secret-in-basic-credentials').toString('base64')}`,
        },
        body: 'grant_type=authorization_code&code=an-authorization-code&code_verifier=a-pkce-code-verifier-0123',
      })
      await response.json()
    } finally {
      server.close()
    }
    expect(collectedCredentials()).toEqual(
      expect.arrayContaining([
        'secret-in-basic-credentials',
        'an-authorization-code',
        'a-pkce-code-verifier-0123',
        'spoat_access-token-from-the-response',
      ]),
    )
  })

  it('finds a collected credential anywhere in the logs', () => {
    expect(
      leakedCredentials(
        ['a-leaked-refresh-token', 'never-logged-secret'],
        'x {"token":"a-leaked-refresh-token"}',
      ),
    ).toEqual(['a-leaked-refresh-token'])
  })
})
