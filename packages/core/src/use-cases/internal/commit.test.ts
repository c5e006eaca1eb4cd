import { describe, expect, it } from 'vitest'
import type { OAuthEvent } from '../../domain/events.js'
import { createMemoryStorage, type MemoryStorage } from '../../memory/create-memory-storage.js'
import type { EventPublisher } from '../../ports/event-publisher.js'
import {
  authorize,
  codeExchangeBody,
  createTestClient,
  createTestServer,
  obtainTokens,
} from '../../test-support/test-server.js'
import { oauthErrorOf } from '../../test-support/token-helpers.js'
import { commit } from './commit.js'

const CLIENT_ID = '11111111-1111-4111-8111-111111111111'

/** Storage whose unit of work notes when it committed, in a shared log. */
function loggingStorage(log: string[], inner: MemoryStorage = createMemoryStorage()): MemoryStorage {
  return {
    ...inner,
    unitOfWork: {
      run: async (work) => {
        const result = await inner.unitOfWork.run(work)
        log.push('committed')
        return result
      },
    },
  }
}

/** A publisher that notes each batch in a shared log and keeps the events. */
function recordingPublisher(log: string[], published: OAuthEvent[]): EventPublisher {
  return {
    publish: async (events) => {
      log.push(`published ${events.map((event) => event.type).join(',')}`)
      published.push(...events)
    },
  }
}

describe('commit', () => {
  it('publishes the recorded events only after the unit of work committed', async () => {
    const log: string[] = []
    const published: OAuthEvent[] = []
    const { server } = createTestServer({
      storage: loggingStorage(log),
      eventPublisher: recordingPublisher(log, published),
    })
    await commit(server.context, async (_repositories, events) => {
      events.record({ type: 'OAuthClientRevoked', clientId: CLIENT_ID })
      events.record({ type: 'OAuthConsentRevoked', clientId: CLIENT_ID, userId: 'user-1' })
      log.push('work done')
    })
    expect(log).toEqual(['work done', 'committed', 'published OAuthClientRevoked,OAuthConsentRevoked'])
    expect(published[0]).toMatchObject({ type: 'OAuthClientRevoked', clientId: CLIENT_ID })
    expect(published[0]!.id).not.toBe(published[1]!.id)
    expect(published[0]!.occurredAt).toEqual(server.context.clock.now())
  })

  it('a publisher sees the change its events report already committed', async () => {
    const storage = createMemoryStorage()
    const seen: boolean[] = []
    const { server } = createTestServer({
      storage,
      eventPublisher: {
        publish: async (events) => {
          for (const event of events) {
            if (event.type === 'OAuthTokenIssued') {
              seen.push((await storage.repositories.accessTokens.findById(event.accessTokenId)) !== null)
            }
          }
        },
      },
    })
    const client = await createTestClient(server)
    await obtainTokens(server, client)
    expect(seen).toEqual([true])
  })

  it('publishes nothing when the work rejects, and rolls its writes back', async () => {
    const storage = createMemoryStorage()
    const published: OAuthEvent[] = []
    const { server } = createTestServer({ storage, eventPublisher: recordingPublisher([], published) })
    const client = await createTestClient(server)
    published.length = 0
    const failure = new Error('work failed')
    await expect(
      commit(server.context, async (repositories, events) => {
        await repositories.clients.revoke(client.id, server.context.clock.now())
        events.record({ type: 'OAuthClientRevoked', clientId: client.id })
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(published).toEqual([])
    expect((await storage.repositories.clients.findById(client.id))?.revokedAt).toBeNull()
  })

  it('a failed token request publishes nothing but what must leave a trace', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    const start = events.length
    // A wrong verifier fails validation: nothing is written, nothing published.
    await oauthErrorOf(
      server.issueTokenFromRequest({
        body: { ...codeExchangeBody(client, code, verifier), code_verifier: 'x'.repeat(43) },
      }),
    )
    expect(events.slice(start)).toEqual([])
  })

  it('a publisher failure does not fail the request; onEventPublishFailed gets the error and events', async () => {
    const failure = new Error('broker down')
    const reported: { error: unknown; events: readonly OAuthEvent[] }[] = []
    const storage = createMemoryStorage()
    const { server } = createTestServer({
      storage,
      eventPublisher: {
        publish: async () => {
          throw failure
        },
      },
      onEventPublishFailed: (error, events) => {
        reported.push({ error, events })
      },
    })
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    expect(tokens.token_type).toBe('Bearer')
    await expect(
      server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` }),
    ).resolves.toMatchObject({ clientId: client.id })
    expect(reported.map((report) => report.error)).toEqual([failure, failure, failure])
    expect(reported.map((report) => report.events.map((event) => event.type))).toEqual([
      ['OAuthClientCreated'],
      ['OAuthAuthorizationApproved'],
      ['OAuthTokenIssued'],
    ])
  })

  it('a throwing onEventPublishFailed does not fail the request either', async () => {
    const { server } = createTestServer({
      eventPublisher: {
        publish: async () => {
          throw new Error('broker down')
        },
      },
      onEventPublishFailed: () => {
        throw new Error('handler broken too')
      },
    })
    const client = await createTestClient(server)
    await expect(obtainTokens(server, client)).resolves.toMatchObject({ token_type: 'Bearer' })
  })

  it('a unit of work with no events publishes nothing', async () => {
    let calls = 0
    const { server } = createTestServer({
      eventPublisher: {
        publish: async () => {
          calls++
        },
      },
    })
    await commit(server.context, async () => 'no events')
    expect(calls).toBe(0)
  })

  it('a retried unit of work publishes the events of its last attempt only', async () => {
    const inner = createMemoryStorage()
    class Retry extends Error {}
    // A unit of work that runs the work once, rolls it back, then runs it again (a serialization retry).
    const retrying: MemoryStorage = {
      ...inner,
      unitOfWork: {
        run: async (work) => {
          await inner.unitOfWork
            .run(async (repositories) => {
              await work(repositories)
              throw new Retry()
            })
            .catch((error: unknown) => {
              if (!(error instanceof Retry)) throw error
            })
          return inner.unitOfWork.run(work)
        },
      },
    }
    const published: OAuthEvent[] = []
    const { server } = createTestServer({
      storage: retrying,
      eventPublisher: recordingPublisher([], published),
    })
    await commit(server.context, async (_repositories, events) => {
      events.record({ type: 'OAuthClientRevoked', clientId: CLIENT_ID })
    })
    expect(published.map((event) => event.type)).toEqual(['OAuthClientRevoked'])
  })

  describe('with an outbox (createMemoryStorage({ outbox: true }))', () => {
    it('writes the events to the outbox with the change, and does not publish them itself', async () => {
      const storage = createMemoryStorage({ outbox: true })
      const published: OAuthEvent[] = []
      const { server } = createTestServer({ storage, eventPublisher: recordingPublisher([], published) })
      const client = await createTestClient(server)
      await obtainTokens(server, client)
      expect(published).toEqual([])
      expect(storage.outboxEvents.map((event) => event.type)).toEqual([
        'OAuthClientCreated',
        'OAuthAuthorizationApproved',
        'OAuthTokenIssued',
      ])
    })

    it('a rolled-back unit of work leaves nothing in the outbox', async () => {
      const storage = createMemoryStorage({ outbox: true })
      const { server } = createTestServer({ storage })
      await expect(
        commit(server.context, async (_repositories, events) => {
          events.record({ type: 'OAuthClientRevoked', clientId: CLIENT_ID })
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      expect(storage.outboxEvents).toEqual([])
    })
  })
})
