import { bearerHeaders, createBenchServer } from '../setup.mjs'

const POOL = 200

/** `authenticateBearer` on a pool of valid tokens, used round-robin. */
export function bearer(format, { checkRevocation = true } = {}) {
  const options =
    format === 'jwt'
      ? { accessTokenFormat: 'jwt', jwt: { checkRevocation } }
      : { accessTokenFormat: 'opaque' }
  return {
    name: format === 'jwt' ? `bearer, JWT, checkRevocation ${checkRevocation}` : 'bearer, opaque',
    target: 1.3,
    crypto: (hmac) => (format === 'jwt' ? { es256Verify: 1 } : { [hmac]: 1 }),
    async setUp(hasher) {
      const server = createBenchServer(hasher, options)
      const headers = await bearerHeaders(server, POOL)
      let next = 0
      return {
        batchSize: format === 'jwt' ? 250 : 2000,
        op: () => server.authenticateBearer(headers[next++ % POOL]),
      }
    },
  }
}
