// When the storage offers `atomicIssuance`, every issuance goes through it: one step each, no unit
// of work of the core's own, events handed to it or published after it won.
// (Every other behaviour of both grants runs on this path too: see `forEachIssuancePath`.)
import { describe, expect, it } from 'vitest'
import type { Storage } from '../../config/options.js'
import { createMemoryStorage } from '../../memory/create-memory-storage.js'
import type { AtomicIssuance } from '../../ports/atomic-issuance.js'
import {
  authorize,
  codeExchangeBody,
  createTestClient,
  createTestServer,
  refreshBody,
} from '../../test-support/test-server.js'
import { INJECTED_FAILURE } from '../../test-support/token-helpers.js'

/** A storage whose unit of work and atomic steps count the calls the core makes to them. */
function countingStorage(inner: Storage & { readonly atomicIssuance: AtomicIssuance }) {
  const calls = { unitsOfWork: 0, issueAccessToken: 0, redeemCode: 0, rotateRefreshToken: 0 }
  const storage: Storage = {
    repositories: inner.repositories,
    unitOfWork: {
      run: (work) => {
        calls.unitsOfWork++
        return inner.unitOfWork.run(work)
      },
    },
    atomicIssuance: {
      eventsGoToOutbox: inner.atomicIssuance.eventsGoToOutbox,
      issueAccessToken: (issuance) => {
        calls.issueAccessToken++
        return inner.atomicIssuance.issueAccessToken(issuance)
      },
      redeemCode: (redemption) => {
        calls.redeemCode++
        return inner.atomicIssuance.redeemCode(redemption)
      },
      rotateRefreshToken: (rotation) => {
        calls.rotateRefreshToken++
        return inner.atomicIssuance.rotateRefreshToken(rotation)
      },
    },
  }
  return { storage, calls }
}

function withAtomicIssuance(options: { readonly outbox?: boolean } = {}) {
  const inner = createMemoryStorage({ ...options, atomicIssuance: true })
  if (!inner.atomicIssuance) throw new Error('memory storage without atomicIssuance')
  return { inner, ...countingStorage({ ...inner, atomicIssuance: inner.atomicIssuance }) }
}

describe('with a storage that offers atomicIssuance', () => {
  it('a code exchange is one redeemCode and a rotation one rotateRefreshToken, with no unit of work of their own', async () => {
    const { storage, calls } = withAtomicIssuance()
    const { server, events } = createTestServer({ storage })
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    const before = { ...calls }
    const tokens = await server.issueTokenFromRequest({ body: codeExchangeBody(client, code, verifier) })
    expect(calls).toEqual({ ...before, redeemCode: before.redeemCode + 1 })
    expect(events.at(-1)).toMatchObject({ type: 'OAuthTokenIssued', grantType: 'authorization_code' })

    const rotated = { ...calls }
    await server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) })
    expect(calls).toEqual({ ...rotated, rotateRefreshToken: rotated.rotateRefreshToken + 1 })
    expect(events.slice(-2).map((event) => event.type)).toEqual([
      'OAuthRefreshTokenRotated',
      'OAuthTokenIssued',
    ])
  })

  it('a client_credentials issuance is one issueAccessToken, with no unit of work of its own', async () => {
    const { storage, calls } = withAtomicIssuance()
    const { server, events } = createTestServer({ storage })
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    const before = { ...calls }
    await server.issueTokenFromRequest({
      body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret! },
    })
    expect(calls).toEqual({ ...before, issueAccessToken: before.issueAccessToken + 1 })
    expect(events.at(-1)).toMatchObject({ type: 'OAuthTokenIssued', grantType: 'client_credentials' })
  })

  it('with an outbox, the events go to the storage with the tokens and none is published', async () => {
    const { inner, storage } = withAtomicIssuance({ outbox: true })
    const { server, events } = createTestServer({ storage })
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    const published = events.length
    const tokens = await server.issueTokenFromRequest({ body: codeExchangeBody(client, code, verifier) })
    await server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) })
    expect(events.length).toBe(published)
    expect(inner.outboxEvents.slice(-3).map((event) => event.type)).toEqual([
      'OAuthTokenIssued',
      'OAuthRefreshTokenRotated',
      'OAuthTokenIssued',
    ])
  })

  it('of concurrent exchanges of one code, only the winner publishes OAuthTokenIssued', async () => {
    const { storage, calls } = withAtomicIssuance()
    const { server, events } = createTestServer({ storage })
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    const body = codeExchangeBody(client, code, verifier)
    const published = events.length
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => server.issueTokenFromRequest({ body })),
    )
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
    // More than one step ran, so some lost the race rather than seeing the code consumed.
    expect(calls.redeemCode).toBeGreaterThan(1)
    expect(events.slice(published).filter((event) => event.type === 'OAuthTokenIssued')).toHaveLength(1)
  })

  it('a failing step publishes nothing and renders a bare 500; the code then redeems once', async () => {
    const { storage } = withAtomicIssuance()
    const atomic = storage.atomicIssuance!
    let fail = true
    const failing: Storage = {
      ...storage,
      atomicIssuance: {
        ...atomic,
        redeemCode: async (redemption) => {
          if (fail) throw new Error(INJECTED_FAILURE)
          return atomic.redeemCode(redemption)
        },
      },
    }
    const { server, events } = createTestServer({ storage: failing })
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    const body = codeExchangeBody(client, code, verifier)
    const published = events.length

    const error = await server.issueTokenFromRequest({ body }).catch((rejection: unknown) => rejection)
    expect(server.renderError(error)).toMatchObject({ status: 500, body: { error: 'server_error' } })
    expect(events.length).toBe(published)

    fail = false
    await expect(server.issueTokenFromRequest({ body })).resolves.toMatchObject({ token_type: 'Bearer' })
    const replay = await server.issueTokenFromRequest({ body }).catch((rejection: unknown) => rejection)
    expect(replay).toMatchObject({ code: 'invalid_grant' })
    expect(events.slice(published).map((event) => event.type)).toEqual([
      'OAuthTokenIssued',
      'OAuthAuthorizationCodeReplayDetected',
    ])
  })
})
