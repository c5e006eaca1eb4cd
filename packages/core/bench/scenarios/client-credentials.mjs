import { clientCredentialsRequest, createBenchClient, createBenchServer } from '../setup.mjs'

/** Token endpoint, client_credentials with client_secret_post. */
export function clientCredentials(format) {
  return {
    name: `client_credentials, ${format}`,
    target: 1.5,
    // Verify the secret (1 HMAC), then hash the new opaque token or sign the JWT.
    crypto: (hmac) => (format === 'opaque' ? { [hmac]: 2 } : { [hmac]: 1, es256Sign: 1 }),
    async setUp(hasher) {
      const server = createBenchServer(hasher, { accessTokenFormat: format })
      const request = clientCredentialsRequest(await createBenchClient(server, ['client_credentials']))
      return { batchSize: 300, op: () => server.issueTokenFromRequest(request) }
    },
  }
}
