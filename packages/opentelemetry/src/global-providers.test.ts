// The defaults: the global tracer and meter providers, registered (as the Node SDK does) after the
// telemetry was made. A file of its own, since it registers process-wide providers.
import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { afterAll, describe, expect, it } from 'vitest'
import { createOpenTelemetry } from './create-open-telemetry.js'
import {
  clientCredentials,
  createInMemorySdk,
  createMachineClient,
  createServer,
} from './otel-test-support.js'

const sdk = createInMemorySdk()

afterAll(async () => {
  trace.disable()
  metrics.disable()
  context.disable()
  await sdk.shutdown()
})

describe('createOpenTelemetry() without a tracer or meter', () => {
  it('reports to the global providers, registered after it was made and before the first request', async () => {
    const server = createServer(createOpenTelemetry())
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    trace.setGlobalTracerProvider(sdk.tracerProvider)
    metrics.setGlobalMeterProvider(sdk.meterProvider)

    const client = await createMachineClient(server)
    await server.issueTokenFromRequest(clientCredentials(client, client.secret))

    const root = sdk.spans().find((span) => span.name === 'sp_oauth.issueTokenFromRequest')
    expect(root?.instrumentationScope.name).toBe('@sp-oauth/core')
    expect(
      sdk.spans().filter((span) => span.parentSpanContext?.spanId === root?.spanContext().spanId),
    ).toHaveLength(2)
    expect(await sdk.counterPoints('sp_oauth.tokens.issued')).toMatchObject([
      { attributes: { 'oauth.grant_type': 'client_credentials' }, value: 1 },
    ])
  })
})
