// The example of the README, type-checked by `pnpm typecheck` and run by readme-example.test.ts
// (never exported). Keep the two in step.
import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createOpenTelemetry } from './index.js' // '@sp-oauth/opentelemetry' in the README

// What the Node SDK (@opentelemetry/sdk-node) registers for you, by hand here: the current span
// follows async calls, spans and metrics are printed to the console.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }),
)
export const reader = new PeriodicExportingMetricReader({
  exporter: new ConsoleMetricExporter(),
  exportIntervalMillis: 60_000,
})
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))

export const server = createAuthorizationServer({
  issuer: 'https://auth.example.com',
  storage: createMemoryStorage(),
  crypto: nodeCrypto({ keys: [{ id: '2026-01', secret: process.env.SP_OAUTH_HASH_KEY! }] }),
  telemetry: createOpenTelemetry(),
})

const { client, plaintextSecret } = await server.createClient({
  name: 'ERP Connector',
  redirectUris: ['https://client.example.com/callback'],
  allowedGrants: ['client_credentials'],
  allowedScopes: ['invoices.read'],
  confidential: true,
})
await server.issueTokenFromRequest({
  body: {
    grant_type: 'client_credentials',
    client_id: client.id,
    client_secret: plaintextSecret!,
    scope: 'invoices.read',
  },
})
// Printed: sp_oauth.createClient, sp_oauth.issueTokenFromRequest and their storage spans. The
// counters go out every minute; a script this short prints them now.
await reader.forceFlush()
