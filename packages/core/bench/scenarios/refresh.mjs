import { createBenchClient, createBenchServer, refreshRequests } from '../setup.mjs'

/** Token endpoint, refresh_token rotation; the refresh tokens are issued before the clock starts. */
export const refresh = {
  name: 'refresh rotation',
  target: 1.5,
  // Client secret, presented refresh token, new access token, new refresh token.
  crypto: (hmac) => ({ [hmac]: 4 }),
  async setUp(hasher) {
    const server = createBenchServer(hasher)
    const client = await createBenchClient(server, ['authorization_code', 'refresh_token'])
    return {
      batchSize: 200,
      prepare: (n) => refreshRequests(server, client, n),
      op: (request) => server.issueTokenFromRequest(request),
    }
  },
}
