import { context, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { OAuthError } from '@sp-oauth/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createOpenTelemetry } from './create-open-telemetry.js'
import {
  clientCredentials,
  createInMemorySdk,
  createMachineClient,
  createServer,
  type InMemorySdk,
} from './otel-test-support.js'

let sdk: InMemorySdk

beforeAll(() => {
  // What the Node SDK registers: the current span follows the async calls, so children find parents.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
})
afterAll(() => {
  context.disable()
})
beforeEach(() => {
  sdk = createInMemorySdk()
})
afterEach(async () => {
  await sdk.shutdown()
})

function named(name: string): ReadableSpan[] {
  return sdk.spans().filter((span) => span.name === name)
}

function childrenOf(parent: ReadableSpan): ReadableSpan[] {
  return sdk.spans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)
}

describe('createOpenTelemetry', () => {
  it('exports a span per use case with its storage calls as child spans, for a client_credentials issuance', async () => {
    const server = createServer(createOpenTelemetry({ tracer: sdk.tracer, meter: sdk.meter }))
    const client = await createMachineClient(server)
    await server.issueTokenFromRequest(clientCredentials(client, client.secret))

    const [root, ...others] = named('sp_oauth.issueTokenFromRequest')
    expect(others).toEqual([])
    expect(root!.parentSpanContext).toBeUndefined()
    expect(root!.attributes).toEqual({
      'oauth.grant_type': 'client_credentials',
      'oauth.client_id': client.id,
    })
    expect(root!.status.code).toBe(SpanStatusCode.UNSET)
    expect(root!.instrumentationScope.name).toBe('@sp-oauth/core')
    expect(childrenOf(root!).map((span) => span.name)).toEqual([
      'sp_oauth.storage.clients.findById',
      'sp_oauth.storage.unitOfWork.run',
    ])
    const unit = childrenOf(root!).find((span) => span.name === 'sp_oauth.storage.unitOfWork.run')!
    expect(childrenOf(unit).map((span) => span.name)).toEqual([
      'sp_oauth.storage.clients.findById',
      'sp_oauth.storage.accessTokens.insert',
    ])
    const trace = root!.spanContext().traceId
    expect(
      [...childrenOf(root!), ...childrenOf(unit)].every((span) => span.spanContext().traceId === trace),
    ).toBe(true)
  })

  it('marks the span of a refused token request ERROR, with oauth.error and the exception recorded', async () => {
    const server = createServer(createOpenTelemetry({ tracer: sdk.tracer, meter: sdk.meter }))
    const client = await createMachineClient(server)
    const wrongSecret = 'f'.repeat(64)
    const error = await server.issueTokenFromRequest(clientCredentials(client, wrongSecret)).catch((e) => e)
    expect(error).toBeInstanceOf(OAuthError)

    const [root] = named('sp_oauth.issueTokenFromRequest')
    expect(root!.status.code).toBe(SpanStatusCode.ERROR)
    expect(root!.attributes).toEqual({
      'oauth.grant_type': 'client_credentials',
      'oauth.error': 'invalid_client',
    })
    // OpenTelemetry takes an error's `code` for its type: the OAuth error code.
    expect(
      root!.events.map((event) => [
        event.name,
        event.attributes?.['exception.type'],
        event.attributes?.['exception.message'],
      ]),
    ).toEqual([['exception', 'invalid_client', 'invalid_client: Client authentication failed.']])
    // The client was read: that storage call succeeded, and its span says so.
    expect(childrenOf(root!).map((span) => [span.name, span.status.code])).toEqual([
      ['sp_oauth.storage.clients.findById', SpanStatusCode.UNSET],
    ])
    const exported = JSON.stringify(sdk.spans().map((span) => [span.attributes, span.events]))
    expect(exported).not.toContain(wrongSecret)
    expect(exported).not.toContain(client.secret)
  })

  it('counts tokens issued and revoked and requests refused as OpenTelemetry counters', async () => {
    const server = createServer(createOpenTelemetry({ tracer: sdk.tracer, meter: sdk.meter }))
    const client = await createMachineClient(server)
    const first = await server.issueTokenFromRequest(clientCredentials(client, client.secret))
    await server.issueTokenFromRequest(clientCredentials(client, client.secret))
    await server.issueTokenFromRequest(clientCredentials(client, 'f'.repeat(64))).catch(() => {})
    await server.revokeToken({ token: first.access_token })

    expect(await sdk.counterPoints('sp_oauth.tokens.issued')).toMatchObject([
      { attributes: { 'oauth.grant_type': 'client_credentials' }, value: 2 },
    ])
    expect(await sdk.counterPoints('sp_oauth.requests.refused')).toMatchObject([
      {
        attributes: {
          'oauth.error': 'invalid_client',
          'sp_oauth.use_case': 'issueTokenFromRequest',
          'oauth.grant_type': 'client_credentials',
        },
        value: 1,
      },
    ])
    expect(await sdk.counterPoints('sp_oauth.tokens.revoked')).toMatchObject([
      { attributes: { 'oauth.token_type': 'access_token', 'sp_oauth.revocation': 'token' }, value: 1 },
    ])
  })

  it('settles as the work settles, and records as an exception only what is an Error', async () => {
    const telemetry = createOpenTelemetry({ tracer: sdk.tracer, meter: sdk.meter })
    await expect(telemetry.span('ok', { a: 1 }, async () => 42)).resolves.toBe(42)
    const thrown = 'a thrown string, which could hold anything'
    await expect(
      telemetry.span('failed', {}, async () => {
        throw thrown
      }),
    ).rejects.toBe(thrown)
    const [ok] = named('ok')
    const [failed] = named('failed')
    expect([ok!.status.code, ok!.attributes, ok!.ended]).toEqual([SpanStatusCode.UNSET, { a: 1 }, true])
    expect([failed!.status.code, failed!.events, failed!.ended]).toEqual([SpanStatusCode.ERROR, [], true])
  })
})
