import { codeExchangeRequests, createBenchClient, createBenchServer } from '../setup.mjs'

/** Token endpoint, authorization_code with PKCE S256; the codes are approved before the clock starts. */
export const codeExchange = {
  name: 'code exchange, PKCE S256',
  target: 1.5,
  // Client secret, code, new access token, new refresh token; the PKCE check.
  crypto: (hmac) => ({ [hmac]: 4, [hmac === 'nodeHmac' ? 'nodeSha256' : 'sha256']: 1 }),
  async setUp(hasher) {
    const server = createBenchServer(hasher)
    const client = await createBenchClient(server, ['authorization_code', 'refresh_token'])
    return {
      batchSize: 200,
      prepare: (n) => codeExchangeRequests(server, client, n),
      op: (request) => server.issueTokenFromRequest(request),
    }
  },
}
