// No OpenTelemetry SDK registered: the API's no-op tracer and meter. A file of its own, so no other
// test's providers are registered.
import type { Span } from '@opentelemetry/api'
import { OAuthError } from '@sp-oauth/core'
import { describe, expect, it } from 'vitest'
import { createOpenTelemetry } from './create-open-telemetry.js'
import { clientCredentials, createMachineClient, createServer } from './otel-test-support.js'

describe('createOpenTelemetry() without an SDK registered', () => {
  it('records nothing, and the server answers as it does without telemetry', async () => {
    const telemetry = createOpenTelemetry()
    const recording = await telemetry.span('probe', {}, async (span) => (span as Span).isRecording())
    expect(recording).toBe(false)
    expect(() => telemetry.count('sp_oauth.tokens.issued', 1, {})).not.toThrow()

    const server = createServer(telemetry)
    const client = await createMachineClient(server)
    await expect(
      server.issueTokenFromRequest(clientCredentials(client, client.secret)),
    ).resolves.toMatchObject({
      token_type: 'Bearer',
    })
    const refused = await server
      .issueTokenFromRequest(clientCredentials(client, 'f'.repeat(64)))
      .catch((e) => e)
    expect(refused).toBeInstanceOf(OAuthError)
    expect(refused).toMatchObject({ code: 'invalid_client' })
  })
})
