// `pnpm bench` in packages/core: the hot paths on in-memory storage against their bare crypto.
// Plain ESM on the built package (`tsup` first). BENCH_QUICK=1 runs a short smoke version.
import os from 'node:os'
import { bareCrypto, createPrimitives } from './baselines.mjs'
import { measure, QUICK } from './measure.mjs'
import { bearer } from './scenarios/bearer.mjs'
import { clientCredentials } from './scenarios/client-credentials.mjs'
import { codeExchange } from './scenarios/code-exchange.mjs'
import { refresh } from './scenarios/refresh.mjs'
import { HASHERS } from './setup.mjs'

const SCENARIOS = [
  bearer('opaque'),
  bearer('jwt', { checkRevocation: true }),
  bearer('jwt', { checkRevocation: false }),
  clientCredentials('opaque'),
  clientCredentials('jwt'),
  codeExchange,
  refresh,
]
/** The HMAC primitive each hasher is compared with. */
const HMAC_OF = { 'web-crypto': 'webHmac', node: 'nodeHmac' }

const fmt = (value, digits = 1) => value.toFixed(digits)
const perSecond = (value) => Math.round(value).toLocaleString('en-US')
const row = (cells) => console.log(`| ${cells.join(' | ')} |`)

console.log(`# @sp-oauth/core bench${QUICK ? ' (BENCH_QUICK=1: smoke run, numbers are rough)' : ''}\n`)
console.log(
  `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, in-memory storage. ` +
    'Each call is awaited before the next; mean over all batches, p99 of the batch means.\n',
)

const primitives = await createPrimitives()
row(['bare crypto', 'ops/s', 'mean µs/op', 'p99 µs/op'])
row(['---', '---:', '---:', '---:'])
for (const { label, batchSize, op } of Object.values(primitives)) {
  const result = await measure({ batchSize, op })
  row([label, perSecond(result.opsPerSecond), fmt(result.meanUs), fmt(result.p99Us)])
}

console.log(
  '\nEach operation is compared with its bare crypto, run in alternating batches under the same load.\n',
)
row([
  'operation',
  'hasher',
  'ops/s',
  'mean µs/op',
  'p99 µs/op',
  'bare crypto',
  'crypto µs',
  'ratio',
  'target',
])
row(['---', '---', '---:', '---:', '---:', '---', '---:', '---:', '---'])
for (const scenario of SCENARIOS) {
  for (const hasher of HASHERS) {
    const bare = bareCrypto(primitives, scenario.crypto(HMAC_OF[hasher]))
    const result = await measure({ ...(await scenario.setUp(hasher)), baseline: bare.op })
    const ratio = result.meanUs / result.baseline.meanUs
    row([
      scenario.name,
      hasher,
      perSecond(result.opsPerSecond),
      fmt(result.meanUs),
      fmt(result.p99Us),
      bare.label,
      fmt(result.baseline.meanUs),
      `${fmt(ratio, 2)}×`,
      `≤ ${scenario.target}× ${ratio <= scenario.target ? 'PASS' : 'MISS'}`,
    ])
  }
}

console.log(
  [
    '',
    'Bare crypto per operation: bearer opaque, the HMAC of the presented token; bearer JWT, one ES256',
    'verify (no HMAC, so the hasher plays no part); client_credentials, the HMAC of the client secret',
    'and of the new opaque token (or the ES256 sign of the JWT); code exchange, the HMACs of the client',
    'secret, the code, the new access and refresh tokens, and the SHA-256 of the PKCE verifier; refresh,',
    'the HMACs of the client secret, the presented refresh token and the new pair. The ratio is the',
    'operation mean over the bare crypto mean; targets: bearer ≤ 1.3×, issuance ≤ 1.5× (not enforced).',
  ].join('\n'),
)
