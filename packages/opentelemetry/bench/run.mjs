// What telemetry costs: client_credentials issuances per second on the in-memory storage with no
// telemetry, with `createOpenTelemetry()` and no SDK registered (the API's no-op), and with the
// SDK recording every span (batched to an exporter that drops them) and counter, in one run, rounds
// interleaved. The SDK needs a context manager (AsyncLocalStorage) for spans to find their parent:
// a line without our telemetry but with it shows what it costs by itself. The ratios are what to compare across machines; the absolute numbers are this one's.
//
//   pnpm --filter @sp-oauth/opentelemetry bench          (builds first)
import { performance } from 'node:perf_hooks'
import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createOpenTelemetry } from '../dist/index.js'

const ROUNDS = 5
const PER_ROUND = 4_000
const WARM_UP = 1_000

/** Collects on demand only: the counters are updated on every request, exported never. */
class UncollectedReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

const droppingExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} }
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(droppingExporter)] })
const meterProvider = new MeterProvider({ readers: [new UncollectedReader()] })
const contextManager = new AsyncLocalStorageContextManager()

async function variant(label, telemetry, { withContextManager = false } = {}) {
  const server = createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage: createMemoryStorage(),
    crypto: nodeCrypto({ keys: [{ id: 'bench', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }),
    ...(telemetry ? { telemetry } : {}),
  })
  const { client, plaintextSecret } = await server.createClient({
    name: 'Bench',
    redirectUris: ['https://client.example.com/callback'],
    allowedGrants: ['client_credentials'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  })
  const body = { grant_type: 'client_credentials', client_id: client.id, client_secret: plaintextSecret }
  const issue = () => server.issueTokenFromRequest({ body })
  return { label, issue, withContextManager, samples: [] }
}

const variants = [
  await variant('no telemetry', null),
  // What an application already running the Node SDK pays before any span of ours.
  await variant('no telemetry, context manager', null, { withContextManager: true }),
  await variant('createOpenTelemetry(), no SDK', createOpenTelemetry()),
  await variant(
    'createOpenTelemetry() + SDK',
    createOpenTelemetry({
      tracer: tracerProvider.getTracer('@sp-oauth/core'),
      meter: meterProvider.getMeter('@sp-oauth/core'),
    }),
    { withContextManager: true },
  ),
]

/** Microseconds per issuance, one at a time. */
async function measure({ issue, withContextManager }, count) {
  if (withContextManager) context.setGlobalContextManager(contextManager.enable())
  try {
    const start = performance.now()
    for (let i = 0; i < count; i++) await issue()
    return ((performance.now() - start) * 1000) / count
  } finally {
    if (withContextManager) {
      contextManager.disable()
      context.disable()
    }
  }
}

for (const current of variants) await measure(current, WARM_UP)
for (let round = 0; round < ROUNDS; round++) {
  for (const current of variants) current.samples.push(await measure(current, PER_ROUND))
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const baseline = median(variants[0].samples)
console.log(
  `client_credentials issuance, in-memory storage, node:crypto, ${ROUNDS} × ${PER_ROUND}, one at a time`,
)
for (const { label, samples } of variants) {
  const perCall = median(samples)
  console.log(
    `  ${label.padEnd(34)} ${perCall.toFixed(1).padStart(7)} µs   × ${(perCall / baseline).toFixed(2)}`,
  )
}
await tracerProvider.shutdown()
await meterProvider.shutdown()
trace.disable()
metrics.disable()
