import { describe, expect, it } from 'vitest'
import type { Storage } from '../config/options.js'
import type { OAuthEvent } from '../domain/events.js'
import { OAuthError } from '../errors/oauth-error.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import type { TransactionalRepositories } from '../ports/unit-of-work.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import {
  codeExchangeBody,
  createPkce,
  createTestClient,
  createTestServer,
  ISSUER,
  REDIRECT_URI,
  rejectionOf,
  type TestClient,
} from '../test-support/test-server.js'

async function validRequest(
  server: AuthorizationServer,
  client: TestClient,
  overrides: Record<string, string | undefined> = {},
) {
  const pkce = await createPkce()
  return server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read invoices.write',
    state: 'state-1',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...overrides,
  })
}

async function oauthRejection(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OAuthError)
  return error as OAuthError
}

/** The stored code record, found the way the token endpoint finds it: by hash. */
async function storedCode(server: AuthorizationServer, code: string) {
  const { hash } = await server.context.hasher.hash(code)
  return server.context.storage.repositories.authorizationCodes.findByHash(hash)
}

/**
 * In-memory storage whose units of work log their commits, and can be told to fail at commit
 * (after the work ran), so nothing they did is kept.
 */
function instrumentedStorage(log: string[]) {
  const inner = createMemoryStorage()
  const control = { failCommit: false }
  const storage: Storage = {
    repositories: inner.repositories,
    unitOfWork: {
      run: async <T>(work: (repositories: TransactionalRepositories) => Promise<T>): Promise<T> => {
        const result = await inner.unitOfWork.run(async (repositories) => {
          const value = await work(repositories)
          if (control.failCommit) throw new Error('injected commit failure')
          return value
        })
        log.push('commit')
        return result
      },
    },
  }
  return { storage, control }
}

describe('approveAuthorizationRequest', () => {
  it('returns a code and the redirect URL with code, state and iss (RFC 9207)', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const approval = await server.approveAuthorizationRequest(await validRequest(server, client), 'user-1')
    expect(approval.code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const url = new URL(approval.redirectUrl)
    expect(`${url.origin}${url.pathname}`).toBe(REDIRECT_URI)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      code: approval.code,
      state: 'state-1',
      iss: ISSUER,
    })
  })

  it("keeps the registered redirect URI's own query and adds code, state and iss (RFC 6749 §3.1.2)", async () => {
    const { server } = createTestServer()
    const registered = 'https://client.example.com/callback?tenant=acme&lang=en'
    const client = await createTestClient(server, { redirectUris: [registered] })
    const request = await validRequest(server, client, { redirect_uri: registered })
    const approval = await server.approveAuthorizationRequest(request, 'user-1')
    const url = new URL(approval.redirectUrl)
    expect(`${url.origin}${url.pathname}`).toBe('https://client.example.com/callback')
    expect([...url.searchParams]).toEqual([
      ['tenant', 'acme'],
      ['lang', 'en'],
      ['code', approval.code],
      ['state', 'state-1'],
      ['iss', ISSUER],
    ])
    expect(approval.redirectUrl.startsWith(`${registered}&`)).toBe(true)
  })

  it('leaves state out of the redirect URL when the request had none', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const request = await validRequest(server, client, { state: undefined })
    const url = new URL((await server.approveAuthorizationRequest(request, 'user-1')).redirectUrl)
    expect(url.searchParams.has('state')).toBe(false)
    expect(url.searchParams.get('iss')).toBe(ISSUER)
  })

  it('approves all requested scopes when the consent names none', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const approval = await server.approveAuthorizationRequest(await validRequest(server, client), 'user-1')
    expect(approval.scopes).toEqual(['invoices.read', 'invoices.write'])
  })

  it('approves fewer scopes than requested when the user unticks some', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const approval = await server.approveAuthorizationRequest(await validRequest(server, client), 'user-1', {
      scopes: ['invoices.read'],
    })
    expect(approval.scopes).toEqual(['invoices.read'])
    expect((await storedCode(server, approval.code))?.scopes).toEqual(['invoices.read'])
    const tokens = await server.issueTokenFromRequest({
      body: codeExchangeBody(client, approval.code, (await createPkce()).verifier),
    })
    expect(tokens.scopes).toEqual(['invoices.read'])
  })

  it('refuses approved scopes that exceed the requested ones with invalid_scope, and stores nothing', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const request = await validRequest(server, client, { scope: 'invoices.read' })
    events.length = 0
    const error = await oauthRejection(
      server.approveAuthorizationRequest(request, 'user-1', {
        scopes: ['invoices.read', 'invoices.write'],
        remember: true,
      }),
    )
    expect(error.code).toBe('invalid_scope')
    expect(events).toEqual([])
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      false,
    )
  })

  it('refuses an empty approval with invalid_scope (deny instead)', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const request = await validRequest(server, client)
    events.length = 0
    const error = await oauthRejection(server.approveAuthorizationRequest(request, 'user-1', { scopes: [] }))
    expect(error.code).toBe('invalid_scope')
    expect(events).toEqual([])
  })

  it('remembers the consent when asked: hasConsent is true afterwards', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.approveAuthorizationRequest(await validRequest(server, client), 'user-1', {
      scopes: ['invoices.read'],
      remember: true,
    })
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      true,
    )
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.write'] })).toBe(
      false,
    )
  })

  it('does not remember the consent without remember', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.approveAuthorizationRequest(await validRequest(server, client), 'user-1')
    await server.approveAuthorizationRequest(await validRequest(server, client), 'user-1', {
      remember: false,
    })
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      false,
    )
  })

  it('refuses to approve for a client revoked since the request was validated, and issues no code', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const request = await validRequest(server, client)
    await server.revokeClient(client.id)
    events.length = 0
    const error = await oauthRejection(server.approveAuthorizationRequest(request, 'user-1'))
    expect(error.code).toBe('invalid_request')
    expect(error.redirect).toBeUndefined()
    expect(events).toEqual([])
  })

  it('refuses a request whose redirect URI is not registered for the client', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const request = await validRequest(server, client)
    const error = await oauthRejection(
      server.approveAuthorizationRequest(
        { ...request, redirectUri: 'https://evil.example.com/cb' },
        'user-1',
      ),
    )
    expect(error.code).toBe('invalid_request')
  })

  it('the code expires after authCodeTtlMinutes, 5 by default', async () => {
    const { server, clock } = createTestServer()
    const client = await createTestClient(server)
    const approval = await server.approveAuthorizationRequest(await validRequest(server, client), 'user-1')
    const expected = new Date(clock.now().getTime() + 5 * 60_000)
    expect(approval.expiresAt).toEqual(expected)
    expect((await storedCode(server, approval.code))?.expiresAt).toEqual(expected)
  })

  it('the code lives as long as a configured authCodeTtlMinutes', async () => {
    const { server, clock } = createTestServer({ authCodeTtlMinutes: 2 })
    const client = await createTestClient(server)
    const approval = await server.approveAuthorizationRequest(await validRequest(server, client), 'user-1')
    expect(approval.expiresAt).toEqual(new Date(clock.now().getTime() + 2 * 60_000))
  })

  it('an expired code is refused at the token endpoint', async () => {
    const { server, clock } = createTestServer()
    const client = await createTestClient(server)
    const approval = await server.approveAuthorizationRequest(await validRequest(server, client), 'user-1')
    clock.advanceMinutes(5)
    const error = await oauthRejection(
      server.issueTokenFromRequest({
        body: codeExchangeBody(client, approval.code, (await createPkce()).verifier),
      }),
    )
    expect(error.code).toBe('invalid_grant')
  })

  it('stores the code only as a hash, bound to client, user, redirect URI, scopes, claims and PKCE challenge', async () => {
    const { server, clock } = createTestServer()
    const client = await createTestClient(server)
    const pkce = await createPkce()
    const request = await validRequest(server, client, { redirect_uri: undefined })
    const approval = await server.approveAuthorizationRequest(
      request,
      { id: 42 },
      { claims: { tenant: 'acme' } },
    )
    const record = await storedCode(server, approval.code)
    expect(record).toMatchObject({
      clientId: client.id,
      userId: '42',
      redirectUri: REDIRECT_URI,
      redirectUriExplicit: false,
      scopes: ['invoices.read', 'invoices.write'],
      claims: { tenant: 'acme' },
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
      createdAt: clock.now(),
      consumedAt: null,
    })
    expect(record!.codeHash).not.toBe(approval.code)
    expect(JSON.stringify(record)).not.toContain(approval.code)
  })

  it('publishes OAuthAuthorizationApproved, carrying no code', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const request = await validRequest(server, client)
    events.length = 0
    const approval = await server.approveAuthorizationRequest(request, 'user-1', { remember: true })
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      type: 'OAuthAuthorizationApproved',
      clientId: client.id,
      userId: 'user-1',
      scopes: ['invoices.read', 'invoices.write'],
      remembered: true,
    })
    expect(JSON.stringify(events)).not.toContain(approval.code)
    const { hash } = await server.context.hasher.hash(approval.code)
    expect(JSON.stringify(events)).not.toContain(hash)
  })

  it('publishes OAuthAuthorizationApproved only after the code and consent are committed', async () => {
    const log: string[] = []
    const { storage } = instrumentedStorage(log)
    const seen: { event: OAuthEvent; consent: boolean }[] = []
    const { server } = createTestServer({
      storage,
      eventPublisher: {
        publish: async (batch) => {
          for (const event of batch) {
            log.push(`publish ${event.type}`)
            if (event.type === 'OAuthAuthorizationApproved') {
              const consent = await storage.repositories.consents.find(event.userId, event.clientId)
              seen.push({ event, consent: consent !== null })
            }
          }
        },
      },
    })
    const client = await createTestClient(server)
    const request = await validRequest(server, client)
    log.length = 0
    await server.approveAuthorizationRequest(request, 'user-1', { remember: true })
    expect(log).toEqual(['commit', 'publish OAuthAuthorizationApproved'])
    expect(seen).toHaveLength(1)
    expect(seen[0]!.consent).toBe(true)
  })

  it('publishes nothing and keeps neither code nor consent when the commit fails', async () => {
    const log: string[] = []
    const { storage, control } = instrumentedStorage(log)
    const { server, events } = createTestServer({ storage })
    const client = await createTestClient(server)
    const request = await validRequest(server, client)
    events.length = 0
    control.failCommit = true
    const error = await rejectionOf(server.approveAuthorizationRequest(request, 'user-1', { remember: true }))
    expect(error.message).toBe('injected commit failure')
    control.failCommit = false
    expect(events).toEqual([])
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: [] })).toBe(false)
  })

  it('each approval issues a different code', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const request = await validRequest(server, client)
    const first = await server.approveAuthorizationRequest(request, 'user-1')
    const second = await server.approveAuthorizationRequest(request, 'user-1')
    expect(first.code).not.toBe(second.code)
  })
})
