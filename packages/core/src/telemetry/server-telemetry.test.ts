import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it } from 'vitest'
import type { Storage } from '../config/options.js'
import { webCrypto } from '../crypto/web-crypto.js'
import type { OAuthEvent } from '../domain/events.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { OAuthError } from '../errors/oauth-error.js'
import { createMemoryStorage, type MemoryStorageOptions } from '../memory/create-memory-storage.js'
import type { EventPublisher } from '../ports/event-publisher.js'
import type { Telemetry, TelemetryAttributes } from '../ports/telemetry.js'
import type { UnitOfWork } from '../ports/unit-of-work.js'
import { type AuthorizationServer, createAuthorizationServer } from '../server/create-authorization-server.js'
import {
  authorize,
  codeExchangeBody,
  createTestClient,
  HASH_SECRET,
  ISSUER,
  obtainTokens,
  REDIRECT_URI,
  refreshBody,
  rejectionOf,
  S256_PKCE,
  type TestClient,
} from '../test-support/test-server.js'
import { basicAuthorization } from '../test-support/token-helpers.js'
import { createFakeClock } from '../testing/fake-clock.js'

interface RecordedSpan {
  readonly name: string
  readonly attributes: Record<string, string | number | boolean>
  readonly parent: RecordedSpan | null
  outcome: 'open' | 'ok' | 'error'
}

interface RecordedCount {
  readonly name: string
  readonly value: number
  readonly attributes: TelemetryAttributes
}

/** A `Telemetry` that keeps every span (with its parent, as the current span is tracked) and count. */
function createRecordingTelemetry() {
  const spans: RecordedSpan[] = []
  const counts: RecordedCount[] = []
  const current = new AsyncLocalStorage<RecordedSpan>()
  const telemetry: Telemetry = {
    span: async (name, attributes, run) => {
      const span: RecordedSpan = {
        name,
        attributes: { ...attributes },
        parent: current.getStore() ?? null,
        outcome: 'open',
      }
      spans.push(span)
      try {
        const value = await current.run(span, () =>
          run({ setAttributes: (more) => Object.assign(span.attributes, more) }),
        )
        span.outcome = 'ok'
        return value
      } catch (error) {
        span.outcome = 'error'
        throw error
      }
    },
    count: (name, value, attributes) => {
      counts.push({ name, value, attributes: { ...attributes } })
    },
  }
  /** The sum of counter `name` over the counts whose attributes include `attributes`. */
  const total = (name: string, attributes: TelemetryAttributes = {}): number =>
    counts
      .filter((count) => count.name === name)
      .filter((count) => Object.entries(attributes).every(([key, value]) => count.attributes[key] === value))
      .reduce((sum, count) => sum + count.value, 0)
  const roots = (name: string): RecordedSpan[] => spans.filter((span) => span.name === name && !span.parent)
  const childrenOf = (parent: RecordedSpan): RecordedSpan[] => spans.filter((span) => span.parent === parent)
  const descendantsOf = (parent: RecordedSpan): RecordedSpan[] =>
    childrenOf(parent).flatMap((child) => [child, ...descendantsOf(child)])
  const clear = (): void => {
    spans.length = 0
    counts.length = 0
  }
  return { telemetry, spans, counts, total, roots, childrenOf, descendantsOf, clear }
}

type Recording = ReturnType<typeof createRecordingTelemetry>

function serverOn(
  storage: Storage,
  options: { readonly telemetry?: Telemetry; readonly eventPublisher?: EventPublisher } = {},
): AuthorizationServer {
  return createAuthorizationServer({
    issuer: ISSUER,
    storage,
    crypto: webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }),
    clock: createFakeClock(),
    ...options,
  })
}

function tracedServer(storageOptions: MemoryStorageOptions = {}) {
  const recording = createRecordingTelemetry()
  const storage = createMemoryStorage(storageOptions)
  const server = serverOn(storage, { telemetry: recording.telemetry })
  return { recording, storage, server }
}

const CREDENTIALS_CLIENT = {
  allowedGrants: ['client_credentials'],
  allowedScopes: ['invoices.read'],
} as const

function clientCredentialsBody(client: TestClient, secret = client.secret!): Record<string, string> {
  return { grant_type: 'client_credentials', client_id: client.id, client_secret: secret }
}

const ISSUED = 'sp_oauth.tokens.issued'
const REVOKED = 'sp_oauth.tokens.revoked'
const REFUSED = 'sp_oauth.requests.refused'

/** Only the span named `name` without a parent; fails unless there is exactly one. */
function onlyRoot(recording: Recording, name: string): RecordedSpan {
  const found = recording.roots(name)
  expect(found.map((span) => span.name)).toEqual([name])
  return found[0]!
}

describe('telemetry: spans', () => {
  it('runs every server method but renderError in a span named sp_oauth.<method>, with no parent', async () => {
    const { recording, server } = tracedServer()
    const methods = Object.entries(server)
      .filter(([name, value]) => typeof value === 'function' && name !== 'renderError')
      .map(([name]) => name)
    expect(methods.length).toBeGreaterThan(25)
    for (const name of methods) {
      recording.clear()
      // Arguments missing: most reject, which is a span too.
      await (server as unknown as Record<string, () => Promise<unknown>>)[name]!().catch(() => {})
      onlyRoot(recording, `sp_oauth.${name}`)
    }
    recording.clear()
    server.renderError(OAuthError.invalidRequest())
    expect(recording.spans).toEqual([])
  })

  it('puts each storage call of a client_credentials issuance in a child span named sp_oauth.storage.<repository>.<method>', async () => {
    const { recording, server } = tracedServer()
    const client = await createTestClient(server, CREDENTIALS_CLIENT)
    recording.clear()
    await server.issueTokenFromRequest({ body: clientCredentialsBody(client) })

    const root = onlyRoot(recording, 'sp_oauth.issueTokenFromRequest')
    expect(root.outcome).toBe('ok')
    expect(root.attributes).toEqual({
      'oauth.client_id': client.id,
      'oauth.grant_type': 'client_credentials',
    })
    expect(recording.childrenOf(root).map((span) => span.name)).toEqual([
      'sp_oauth.storage.clients.findById',
      'sp_oauth.storage.unitOfWork.run',
    ])
    const unit = recording.childrenOf(root)[1]!
    expect(recording.childrenOf(unit).map((span) => span.name)).toEqual([
      'sp_oauth.storage.clients.findById',
      'sp_oauth.storage.accessTokens.insert',
    ])
    // Every span of the call is under its root: none escapes as a trace of its own.
    expect(recording.spans.filter((span) => !span.parent)).toEqual([root])
    expect(recording.descendantsOf(root).every((span) => span.outcome === 'ok')).toBe(true)
  })

  it("puts a storage's own atomic issuance in a span sp_oauth.storage.atomicIssuance.<method>", async () => {
    const { recording, server } = tracedServer({ atomicIssuance: true })
    const client = await createTestClient(server, CREDENTIALS_CLIENT)
    recording.clear()
    await server.issueTokenFromRequest({ body: clientCredentialsBody(client) })
    const root = onlyRoot(recording, 'sp_oauth.issueTokenFromRequest')
    expect(recording.childrenOf(root).map((span) => span.name)).toEqual([
      'sp_oauth.storage.clients.findById',
      'sp_oauth.storage.atomicIssuance.issueAccessToken',
    ])
  })

  it('traces the outbox writes of a unit of work, and the pending migrations of a health check', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const recording = createRecordingTelemetry()
    const server = serverOn(
      { ...storage, pendingMigrations: async () => [] },
      { telemetry: recording.telemetry },
    )
    await server.createClient({
      name: 'ERP Connector',
      redirectUris: [REDIRECT_URI],
      allowedGrants: ['client_credentials'],
      allowedScopes: ['invoices.read'],
      confidential: true,
    })
    const unit = recording.childrenOf(onlyRoot(recording, 'sp_oauth.createClient'))
    expect(unit.map((span) => span.name)).toEqual(['sp_oauth.storage.unitOfWork.run'])
    expect(recording.childrenOf(unit[0]!).map((span) => span.name)).toContain(
      'sp_oauth.storage.outbox.append',
    )

    recording.clear()
    await server.health()
    expect(recording.childrenOf(onlyRoot(recording, 'sp_oauth.health')).map((span) => span.name)).toEqual([
      'sp_oauth.storage.clients.findById',
      'sp_oauth.storage.pendingMigrations',
    ])
  })

  it('records oauth.error=invalid_client on the span of a token request with a wrong secret', async () => {
    const { recording, server } = tracedServer()
    const client = await createTestClient(server, CREDENTIALS_CLIENT)
    recording.clear()
    const error = await rejectionOf(
      server.issueTokenFromRequest({ body: clientCredentialsBody(client, 'f'.repeat(64)) }),
    )
    expect(error).toBeInstanceOf(OAuthError)
    const root = onlyRoot(recording, 'sp_oauth.issueTokenFromRequest')
    expect(root.outcome).toBe('error')
    // The client failed to authenticate: the id it claimed is not reported.
    expect(root.attributes).toEqual({
      'oauth.grant_type': 'client_credentials',
      'oauth.error': 'invalid_client',
    })
    // The client was read: that storage call itself succeeded.
    expect(recording.childrenOf(root).map((span) => [span.name, span.outcome])).toEqual([
      ['sp_oauth.storage.clients.findById', 'ok'],
    ])
  })

  it.each([
    ['unsupported_grant_type', { grant_type: 'password', client_id: 'c1' }],
    ['invalid_request', { client_id: 'c1' }],
    ['invalid_client', { grant_type: 'client_credentials', client_id: 'no-such-client' }],
  ])('records the OAuth error code %s on a refused token request', async (code, body) => {
    const { recording, server } = tracedServer()
    await rejectionOf(server.issueTokenFromRequest({ body }))
    expect(onlyRoot(recording, 'sp_oauth.issueTokenFromRequest').attributes['oauth.error']).toBe(code)
  })

  it('records oauth.error=server_error on the storage span and the use case span when the storage fails', async () => {
    const storage = createMemoryStorage()
    const broken: Storage = {
      ...storage,
      repositories: {
        ...storage.repositories,
        clients: {
          ...storage.repositories.clients,
          findById: async () => {
            throw new Error('connection terminated')
          },
        },
      },
    }
    const recording = createRecordingTelemetry()
    const server = serverOn(broken, { telemetry: recording.telemetry })
    await rejectionOf(
      server.issueTokenFromRequest({ body: { grant_type: 'client_credentials', client_id: 'c1' } }),
    )
    const root = onlyRoot(recording, 'sp_oauth.issueTokenFromRequest')
    expect([root.outcome, root.attributes['oauth.error']]).toEqual(['error', 'server_error'])
    const [read] = recording.childrenOf(root)
    expect([read?.name, read?.outcome, read?.attributes['oauth.error']]).toEqual([
      'sp_oauth.storage.clients.findById',
      'error',
      'server_error',
    ])
  })

  it('names the client of a token request once it proved it: on success and on invalid_grant, not on invalid_client', async () => {
    const { recording, server } = tracedServer()
    const client = await createTestClient(server)
    recording.clear()
    await rejectionOf(
      server.issueTokenFromRequest({
        body: codeExchangeBody(client, 'not-a-code', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      }),
    )
    expect(onlyRoot(recording, 'sp_oauth.issueTokenFromRequest').attributes).toEqual({
      'oauth.client_id': client.id,
      'oauth.grant_type': 'authorization_code',
      'oauth.error': 'invalid_grant',
    })

    recording.clear()
    await rejectionOf(
      server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials', client_id: 'no-such-client' },
      }),
    )
    expect(onlyRoot(recording, 'sp_oauth.issueTokenFromRequest').attributes).toEqual({
      'oauth.grant_type': 'client_credentials',
      'oauth.error': 'invalid_client',
    })
  })

  it('names the client of an authorization request once it is verified: on success and on a redirected error', async () => {
    const { recording, server } = tracedServer()
    const client = await createTestClient(server)
    const request = {
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      code_challenge: S256_PKCE.code_challenge,
      code_challenge_method: 'S256',
    }
    recording.clear()
    await rejectionOf(
      server.validateAuthorizationRequest({ ...request, client_id: client.id, scope: 'unknown.scope' }),
    )
    expect(onlyRoot(recording, 'sp_oauth.validateAuthorizationRequest').attributes).toEqual({
      'oauth.client_id': client.id,
      'oauth.error': 'invalid_scope',
    })

    recording.clear()
    await rejectionOf(
      server.validateAuthorizationRequest({
        ...request,
        client_id: 'no-such-client',
        scope: 'invoices.read',
      }),
    )
    expect(onlyRoot(recording, 'sp_oauth.validateAuthorizationRequest').attributes).toEqual({
      'oauth.error': 'invalid_request',
    })
  })

  it('names the client of a request sent with HTTP Basic credentials, and none of malformed ones', async () => {
    const { recording, server } = tracedServer()
    const client = await createTestClient(server, CREDENTIALS_CLIENT)
    recording.clear()
    await server.issueTokenFromRequest({
      body: { grant_type: 'client_credentials' },
      authorization: basicAuthorization(client.id, client.secret!),
    })
    expect(onlyRoot(recording, 'sp_oauth.issueTokenFromRequest').attributes['oauth.client_id']).toBe(
      client.id,
    )

    recording.clear()
    await rejectionOf(
      server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials' },
        authorization: 'Basic %%%',
      }),
    )
    expect(onlyRoot(recording, 'sp_oauth.issueTokenFromRequest').attributes).toEqual({
      'oauth.grant_type': 'client_credentials',
      'oauth.error': 'invalid_client',
    })
  })

  it('names the client of an authorization request, from its parameters or its raw query string', async () => {
    const { recording, server } = tracedServer()
    const client = await createTestClient(server)
    recording.clear()
    await authorize(server, client)
    expect(onlyRoot(recording, 'sp_oauth.validateAuthorizationRequest').attributes).toEqual({
      'oauth.client_id': client.id,
    })
    expect(onlyRoot(recording, 'sp_oauth.approveAuthorizationRequest').attributes).toEqual({
      'oauth.client_id': client.id,
    })

    recording.clear()
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: REDIRECT_URI,
      scope: 'invoices.read',
      code_challenge: S256_PKCE.code_challenge,
      code_challenge_method: 'S256',
    })
    await server.beginAuthorization({ parameters: `?${query}`, signedIn: null })
    expect(onlyRoot(recording, 'sp_oauth.beginAuthorization').attributes['oauth.client_id']).toBe(client.id)
  })

  it('keeps out of the attributes a client id or grant type that cannot be one', async () => {
    const { recording, server } = tracedServer()
    await rejectionOf(
      server.issueTokenFromRequest({ body: { grant_type: 'x'.repeat(300), client_id: 'c1' } }),
    )
    expect(onlyRoot(recording, 'sp_oauth.issueTokenFromRequest').attributes).toEqual({
      'oauth.error': 'unsupported_grant_type',
    })
    await server.revokeClient(`has a space ${'x'.repeat(300)}`)
    expect(onlyRoot(recording, 'sp_oauth.revokeClient').attributes).toEqual({})
    await server.revokeClient('c1')
    expect(recording.roots('sp_oauth.revokeClient').map((span) => span.attributes)).toEqual([
      {},
      { 'oauth.client_id': 'c1' },
    ])
  })
})

describe('telemetry: counters', () => {
  it('counts issued access tokens by grant type', async () => {
    const { recording, server } = tracedServer()
    const partner = await createTestClient(server)
    const machine = await createTestClient(server, CREDENTIALS_CLIENT)
    await server.issueTokenFromRequest({ body: clientCredentialsBody(machine) })
    await server.issueTokenFromRequest({ body: clientCredentialsBody(machine) })
    const { code, verifier } = await authorize(server, partner)
    const tokens = await server.issueTokenFromRequest({ body: codeExchangeBody(partner, code, verifier) })
    await server.issueTokenFromRequest({ body: refreshBody(partner, tokens.refresh_token!) })

    expect(recording.total(ISSUED)).toBe(4)
    expect(recording.total(ISSUED, { 'oauth.grant_type': 'client_credentials' })).toBe(2)
    expect(recording.total(ISSUED, { 'oauth.grant_type': 'authorization_code' })).toBe(1)
    expect(recording.total(ISSUED, { 'oauth.grant_type': 'refresh_token' })).toBe(1)
  })

  it('counts refused requests by OAuth error code and use case, with the grant type of a token request', async () => {
    const { recording, server } = tracedServer()
    const client = await createTestClient(server, CREDENTIALS_CLIENT)
    await rejectionOf(server.issueTokenFromRequest({ body: clientCredentialsBody(client, 'f'.repeat(64)) }))
    await rejectionOf(server.issueTokenFromRequest({ body: clientCredentialsBody(client, 'e'.repeat(64)) }))
    await rejectionOf(server.authenticateBearer({ authorization: 'Bearer spoat_unknown' }))

    expect(recording.counts.filter((count) => count.name === REFUSED)).toEqual([
      {
        name: REFUSED,
        value: 1,
        attributes: {
          'oauth.error': 'invalid_client',
          'sp_oauth.use_case': 'issueTokenFromRequest',
          'oauth.grant_type': 'client_credentials',
        },
      },
      expect.objectContaining({ name: REFUSED }),
      {
        name: REFUSED,
        value: 1,
        attributes: { 'oauth.error': 'invalid_token', 'sp_oauth.use_case': 'authenticateBearer' },
      },
    ])
    expect(recording.total(ISSUED)).toBe(0)
  })

  it('counts revoked tokens: one per presented token, each of a user’s', async () => {
    const { recording, server } = tracedServer()
    const client = await createTestClient(server)
    const first = await obtainTokens(server, client)
    await server.revokeTokenFromRequest({
      body: { token: first.access_token, client_id: client.id, client_secret: client.secret! },
    })
    // Already revoked: nothing more is.
    await server.revokeToken({ token: first.access_token })
    await server.revokeToken({ token: first.refresh_token!, hint: 'refresh_token' })
    expect(recording.total(REVOKED, { 'sp_oauth.revocation': 'token' })).toBe(2)
    expect(recording.total(REVOKED, { 'oauth.token_type': 'access_token' })).toBe(1)
    expect(recording.total(REVOKED, { 'oauth.token_type': 'refresh_token' })).toBe(1)

    recording.clear()
    await obtainTokens(server, client)
    await obtainTokens(server, client)
    await server.revokeUserTokens({ user: 'user-1' })
    expect(
      recording.total(REVOKED, { 'sp_oauth.revocation': 'user', 'oauth.token_type': 'access_token' }),
    ).toBe(2)
    expect(
      recording.total(REVOKED, { 'sp_oauth.revocation': 'user', 'oauth.token_type': 'refresh_token' }),
    ).toBe(2)
  })

  const ROUTES = [
    { outbox: false, atomicIssuance: false, publisher: false },
    { outbox: false, atomicIssuance: false, publisher: true },
    { outbox: true, atomicIssuance: false, publisher: false },
    { outbox: true, atomicIssuance: false, publisher: true },
    { outbox: false, atomicIssuance: true, publisher: true },
    { outbox: true, atomicIssuance: true, publisher: false },
    { outbox: true, atomicIssuance: true, publisher: true },
  ]
  it.each(ROUTES)(
    'counts each token once whichever way events go (outbox $outbox, atomicIssuance $atomicIssuance, publisher $publisher)',
    async ({ outbox, atomicIssuance, publisher }) => {
      const recording = createRecordingTelemetry()
      const published: OAuthEvent[] = []
      const server = serverOn(createMemoryStorage({ outbox, atomicIssuance }), {
        telemetry: recording.telemetry,
        ...(publisher
          ? { eventPublisher: { publish: async (events) => void published.push(...events) } }
          : {}),
      })
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      await server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) })
      await server.revokeToken({ token: tokens.access_token })

      expect(recording.total(ISSUED)).toBe(2)
      expect(recording.total(REVOKED)).toBe(1)
      // The application's publisher still gets what it got without telemetry.
      if (publisher && !outbox) expect(published.map((event) => event.type)).toContain('OAuthTokenIssued')
    },
  )

  it('counts nothing of a unit of work whose commit fails', async () => {
    const storage = createMemoryStorage({ outbox: true })
    let failCommits = false
    const unitOfWork: UnitOfWork = {
      run: async (work) => {
        const value = await storage.unitOfWork.run(work)
        if (failCommits) throw new Error('commit failed')
        return value
      },
    }
    const recording = createRecordingTelemetry()
    const server = serverOn({ ...storage, unitOfWork }, { telemetry: recording.telemetry })
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    failCommits = true
    await rejectionOf(server.revokeToken({ token: tokens.access_token }))
    expect(recording.total(REVOKED)).toBe(0)
  })

  it('counts a unit of work retried after a serialization failure once', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const rolledBack = new Error('serialization failure')
    // Runs each unit once to the end and rolls it back, then again for real: as a storage retries.
    const unitOfWork: UnitOfWork = {
      run: async (work) => {
        await storage.unitOfWork
          .run(async (repositories) => {
            await work(repositories)
            throw rolledBack
          })
          .catch((error: unknown) => {
            if (error !== rolledBack) throw error
          })
        return storage.unitOfWork.run(work)
      },
    }
    const recording = createRecordingTelemetry()
    const server = serverOn({ ...storage, unitOfWork }, { telemetry: recording.telemetry })
    const client = await createTestClient(server, CREDENTIALS_CLIENT)
    await server.issueTokenFromRequest({ body: clientCredentialsBody(client) })
    expect(recording.total(ISSUED)).toBe(1)
  })

  it('never lets a failing Telemetry.count fail a request, nor change its error', async () => {
    const recording = createRecordingTelemetry()
    const telemetry: Telemetry = {
      span: recording.telemetry.span,
      count: () => {
        throw new Error('exporter down')
      },
    }
    const server = serverOn(createMemoryStorage(), { telemetry })
    const client = await createTestClient(server, CREDENTIALS_CLIENT)
    await expect(
      server.issueTokenFromRequest({ body: clientCredentialsBody(client) }),
    ).resolves.toMatchObject({
      token_type: 'Bearer',
    })
    const error = await rejectionOf(
      server.issueTokenFromRequest({ body: clientCredentialsBody(client, 'f'.repeat(64)) }),
    )
    expect(error).toMatchObject({ code: 'invalid_client' })
  })
})

describe('telemetry: what it never reports', () => {
  it('puts no secret, token, code, verifier or user id in any attribute', async () => {
    const { recording, server } = tracedServer()
    const partner = await createTestClient(server)
    const machine = await createTestClient(server, CREDENTIALS_CLIENT)
    const machineToken = await server.issueTokenFromRequest({
      body: { grant_type: 'client_credentials' },
      authorization: basicAuthorization(machine.id, machine.secret!),
    })
    const { code, verifier } = await authorize(server, partner)
    const tokens = await server.issueTokenFromRequest({ body: codeExchangeBody(partner, code, verifier) })
    const rotated = await server.issueTokenFromRequest({ body: refreshBody(partner, tokens.refresh_token!) })
    await server.authenticateBearer({ authorization: `Bearer ${rotated.access_token}` })
    const credentials = { client_id: partner.id, client_secret: partner.secret! }
    await server.introspectTokenFromRequest({ body: { token: rotated.access_token, ...credentials } })
    await server.revokeTokenFromRequest({ body: { token: rotated.refresh_token!, ...credentials } })
    // Refused, with the secret where the client id goes.
    await rejectionOf(
      server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials', client_id: machine.secret! },
      }),
    )

    const secrets = [
      partner.secret!,
      machine.secret!,
      machineToken.access_token,
      tokens.access_token,
      tokens.refresh_token!,
      rotated.access_token,
      rotated.refresh_token!,
      code,
      verifier!,
      'user-1',
    ]
    const attributes = [...recording.spans, ...recording.counts].flatMap((entry) =>
      Object.values(entry.attributes).map(String),
    )
    expect(attributes.length).toBeGreaterThan(15)
    for (const secret of secrets) {
      expect(attributes.filter((value) => value.includes(secret))).toEqual([])
    }
  })

  it('without the option wraps nothing: the use cases get the storage and publisher as given', async () => {
    const storage = createMemoryStorage({ atomicIssuance: true })
    const plain = serverOn(storage)
    expect(plain.context.storage).toBe(storage)
    expect(plain.context.issuance).toBe(storage.atomicIssuance)
    expect(plain.context.eventPublisher).toBeNull()
    const publisher: EventPublisher = { publish: async () => {} }
    expect(serverOn(storage, { eventPublisher: publisher }).context.eventPublisher).toBe(publisher)

    const traced = serverOn(storage, { telemetry: createRecordingTelemetry().telemetry })
    expect(traced.context.storage).not.toBe(storage)
    expect(traced.context.storage.repositories.clients).not.toBe(storage.repositories.clients)
  })

  it('refuses a telemetry option without span and count functions', () => {
    const storage = createMemoryStorage()
    const error = (() => {
      try {
        serverOn(storage, { telemetry: { span: 'nope' } as unknown as Telemetry })
      } catch (caught) {
        return caught
      }
      return null
    })()
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as ConfigurationError).problems).toEqual(['telemetry: needs span and count functions'])
  })
})
