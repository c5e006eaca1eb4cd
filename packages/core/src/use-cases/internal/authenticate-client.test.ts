import { describe, expect, it } from 'vitest'
import type { Storage } from '../../config/options.js'
import { webCrypto } from '../../crypto/web-crypto.js'
import type { OAuthEventOf } from '../../domain/events.js'
import { createMemoryStorage } from '../../memory/create-memory-storage.js'
import { createAuthorizationServer } from '../../server/create-authorization-server.js'
import {
  createTestClient,
  createTestServer,
  HASH_SECRET,
  ISSUER,
  type TestServer,
} from '../../test-support/test-server.js'
import { basicAuthorization, insertClient, oauthErrorOf } from '../../test-support/token-helpers.js'
import { authenticateClient } from './authenticate-client.js'

const UNKNOWN_CLIENT_ID = '00000000-0000-4000-8000-000000000000'

function failures(events: TestServer['events']): OAuthEventOf<'OAuthClientAuthenticationFailed'>[] {
  return events.filter(
    (event): event is OAuthEventOf<'OAuthClientAuthenticationFailed'> =>
      event.type === 'OAuthClientAuthenticationFailed',
  )
}

describe('authenticateClient', () => {
  describe('client_secret_basic', () => {
    it('decodes form-urlencoded id and secret inside Basic (RFC 6749 §2.3.1)', async () => {
      const { server } = createTestServer()
      // A secret full of characters that change under form-encoding: space, +, %, :, /, non-ASCII.
      const secret = 'p@ss word+plus%25:colon/é'
      const client = await insertClient(server, { secret })
      const header = basicAuthorization(client.id, secret)
      // The encoding really changed the secret, so a server that skipped decoding would refuse it.
      expect(Buffer.from(header.slice(6), 'base64').toString('utf8')).not.toContain(secret)

      const authenticated = await authenticateClient(server.context, {
        authorization: header,
        body: { grant_type: 'client_credentials' },
      })
      expect(authenticated.client.id).toBe(client.id)
      expect(authenticated.method).toBe('client_secret_basic')
    })

    it('accepts the Basic scheme name in any case', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const header = basicAuthorization(client.id, client.secret!).replace('Basic', 'bAsIc')
      const authenticated = await authenticateClient(server.context, { authorization: header, body: {} })
      expect(authenticated.method).toBe('client_secret_basic')
    })

    it('a wrong secret via Basic is invalid_client 401 rendered with WWW-Authenticate: Basic', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthErrorOf(
        authenticateClient(server.context, {
          authorization: basicAuthorization(client.id, 'f'.repeat(64)),
          body: {},
        }),
      )
      expect(error.code).toBe('invalid_client')
      const response = server.renderError(error)
      expect(response.status).toBe(401)
      expect(response.headers['www-authenticate']).toMatch(/^Basic realm="oauth"/)
      expect(response.body).toMatchObject({ error: 'invalid_client' })
    })

    it('a malformed Basic header is invalid_client with a Basic challenge', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const malformed = [
        'Basic',
        'Basic !!!not-base64!!!',
        `Basic ${Buffer.from('no-colon-here').toString('base64')}`,
        `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x61]).toString('base64')}`, // not UTF-8
        `Basic ${Buffer.from(`${client.id}:%zz`).toString('base64')}`, // bad percent-encoding
        'Bearer abc',
      ]
      for (const authorization of malformed) {
        const error = await oauthErrorOf(authenticateClient(server.context, { authorization, body: {} }))
        expect(error.code, authorization).toBe('invalid_client')
        expect(error.status).toBe(401)
        expect(server.renderError(error).headers['www-authenticate'], authorization).toMatch(/^Basic /)
      }
    })
  })

  describe('client_secret_post', () => {
    it('authenticates client_id and client_secret in the body', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const authenticated = await authenticateClient(server.context, {
        body: { client_id: client.id, client_secret: client.secret! },
      })
      expect(authenticated.client.id).toBe(client.id)
      expect(authenticated.method).toBe('client_secret_post')
    })

    it('a wrong secret in the body is invalid_client 401, with the Basic challenge every 401 carries', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthErrorOf(
        authenticateClient(server.context, { body: { client_id: client.id, client_secret: 'wrong' } }),
      )
      expect(error.code).toBe('invalid_client')
      const response = server.renderError(error)
      expect(response.status).toBe(401)
      expect(response.headers['www-authenticate']).toBe('Basic realm="oauth", charset="UTF-8"')
    })
  })

  describe('none (public clients)', () => {
    it('authenticates a public client by client_id alone', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server, { confidential: false })
      const authenticated = await authenticateClient(server.context, { body: { client_id: client.id } })
      expect(authenticated.client.id).toBe(client.id)
      expect(authenticated.method).toBe('none')
    })

    it('a public client sending a secret is invalid_client', async () => {
      const { server, events } = createTestServer()
      const client = await createTestClient(server, { confidential: false })
      const error = await oauthErrorOf(
        authenticateClient(server.context, { body: { client_id: client.id, client_secret: 'anything' } }),
      )
      expect(error.code).toBe('invalid_client')
      expect(failures(events).map((event) => event.reason)).toEqual(['unexpected_secret'])
    })

    it('a confidential client sending no secret is invalid_client', async () => {
      const { server, events } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthErrorOf(authenticateClient(server.context, { body: { client_id: client.id } }))
      expect(error.code).toBe('invalid_client')
      expect(failures(events).map((event) => event.reason)).toEqual(['missing_secret'])
    })
  })

  it('using two authentication methods at once is invalid_request', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const error = await oauthErrorOf(
      authenticateClient(server.context, {
        authorization: basicAuthorization(client.id, client.secret!),
        body: { client_id: client.id, client_secret: client.secret! },
      }),
    )
    expect(error.code).toBe('invalid_request')
  })

  it('a body client_id that differs from the Basic one is invalid_request', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const other = await createTestClient(server)
    const error = await oauthErrorOf(
      authenticateClient(server.context, {
        authorization: basicAuthorization(client.id, client.secret!),
        body: { client_id: other.id },
      }),
    )
    expect(error.code).toBe('invalid_request')
  })

  it('a client_secret in the query string is invalid_request, even a correct one', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    for (const request of [
      { body: { client_id: client.id }, query: { client_secret: client.secret! } },
      {
        body: { client_id: client.id, client_secret: client.secret! },
        query: { client_secret: client.secret! },
      },
      {
        authorization: basicAuthorization(client.id, client.secret!),
        body: {},
        query: new URLSearchParams({ client_secret: 'x' }),
      },
    ]) {
      const error = await oauthErrorOf(authenticateClient(server.context, request))
      expect(error.code).toBe('invalid_request')
      expect(error.status).toBe(400)
    }
  })

  it('no credentials at all is invalid_client', async () => {
    const { server } = createTestServer()
    const error = await oauthErrorOf(authenticateClient(server.context, { body: { grant_type: 'x' } }))
    expect(error.code).toBe('invalid_client')
    expect(error.status).toBe(401)
  })

  it('an unknown client is invalid_client 401', async () => {
    const { server, events } = createTestServer()
    for (const clientId of [UNKNOWN_CLIENT_ID, 'not-a-uuid']) {
      const error = await oauthErrorOf(
        authenticateClient(server.context, { body: { client_id: clientId, client_secret: 'secret' } }),
      )
      expect(error.code).toBe('invalid_client')
      expect(error.status).toBe(401)
    }
    // An id that names no client, chosen by whoever sent it, is never echoed into the event.
    expect(failures(events).map((event) => [event.reason, event.clientId])).toEqual([
      ['unknown_client', null],
      ['unknown_client', null],
    ])
  })

  it('a revoked client is invalid_client 401, even with its right secret', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    await server.revokeClient(client.id)
    const error = await oauthErrorOf(
      authenticateClient(server.context, { body: { client_id: client.id, client_secret: client.secret! } }),
    )
    expect(error.code).toBe('invalid_client')
    expect(error.status).toBe(401)
    expect(failures(events).map((event) => event.reason)).toEqual(['client_revoked'])
  })

  it('every failure publishes OAuthClientAuthenticationFailed, without the secret', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const wrongSecret = 'wrong-secret-0123456789abcdef'
    await oauthErrorOf(
      authenticateClient(server.context, { body: { client_id: client.id, client_secret: wrongSecret } }),
    )
    await oauthErrorOf(
      authenticateClient(server.context, {
        authorization: basicAuthorization(client.id, wrongSecret),
        body: {},
      }),
    )
    const failed = failures(events)
    expect(failed).toHaveLength(2)
    for (const event of failed) {
      expect(event).toMatchObject({ clientId: client.id, reason: 'invalid_secret' })
      expect(typeof event.id).toBe('string')
      expect(event.occurredAt).toEqual(server.context.clock.now())
    }
    const serialized = JSON.stringify(events)
    expect(serialized).not.toContain(wrongSecret)
    expect(serialized).not.toContain(client.secret!)
  })

  it('a failed authentication writes nothing: 300 failures with the outbox on open no unit of work and store no event', async () => {
    const storage = createMemoryStorage({ outbox: true })
    let unitsOfWork = 0
    const counting: Storage = {
      ...storage,
      unitOfWork: {
        run: (work) => {
          unitsOfWork += 1
          return storage.unitOfWork.run(work)
        },
      },
    }
    const { server, events } = createTestServer({ storage: counting })
    const client = await createTestClient(server)
    unitsOfWork = 0
    const outboxBefore = storage.outboxEvents.length
    for (let i = 0; i < 300; i++) {
      const clientId = i % 2 === 0 ? crypto.randomUUID() : client.id
      await oauthErrorOf(
        authenticateClient(server.context, { body: { client_id: clientId, client_secret: `wrong-${i}` } }),
      )
    }
    expect(unitsOfWork).toBe(0)
    expect(storage.outboxEvents).toHaveLength(outboxBefore)
    // The in-process publisher still hears every failure; a known client is named, an unknown id never.
    const failed = failures(events)
    expect(failed).toHaveLength(300)
    expect(failed.filter((event) => event.clientId === client.id)).toHaveLength(150)
    expect(
      failed.filter((event) => event.clientId === null && event.reason === 'unknown_client'),
    ).toHaveLength(150)
  })

  it('a failed authentication without an event publisher still fails, writing nothing', async () => {
    const storage = createMemoryStorage({ outbox: true })
    const server = createAuthorizationServer({
      issuer: ISSUER,
      storage,
      crypto: webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }),
    })
    const client = await createTestClient(server)
    const outboxBefore = storage.outboxEvents.length
    const error = await oauthErrorOf(
      authenticateClient(server.context, { body: { client_id: client.id, client_secret: 'wrong' } }),
    )
    expect(error.code).toBe('invalid_client')
    expect(storage.outboxEvents).toHaveLength(outboxBefore)
  })

  it('a successful authentication publishes nothing', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const before = events.length
    await authenticateClient(server.context, {
      body: { client_id: client.id, client_secret: client.secret! },
    })
    expect(events).toHaveLength(before)
  })

  describe('onClientAuthentication', () => {
    it('hears each outcome once, before the use case acts; not for a request refused before authenticating', async () => {
      const { server } = createTestServer()
      const confidential = await createTestClient(server)
      const publicClient = await insertClient(server, { secret: null })
      const cases: [string, Record<string, string>, string | undefined, (string | undefined)[]][] = [
        [
          'right secret',
          { client_id: confidential.id, client_secret: confidential.secret! },
          undefined,
          ['success'],
        ],
        ['public client', { client_id: publicClient.id }, undefined, ['success']],
        [
          'wrong secret',
          { client_id: confidential.id, client_secret: 'wrong' },
          'invalid_client',
          ['failure'],
        ],
        ['missing secret', { client_id: confidential.id }, 'invalid_client', ['failure']],
        [
          'unknown client',
          { client_id: UNKNOWN_CLIENT_ID, client_secret: 'x' },
          'invalid_client',
          ['failure'],
        ],
        ['no client id', {}, 'invalid_client', ['failure']],
      ]
      for (const [name, body, code, expected] of cases) {
        const heard: string[] = []
        const attempt = authenticateClient(server.context, {
          body,
          onClientAuthentication: async (outcome) => {
            heard.push(outcome)
          },
        })
        if (code) expect((await oauthErrorOf(attempt)).code, name).toBe(code)
        else await attempt
        expect(heard, name).toEqual(expected)
      }
      const heard: string[] = []
      const twoMethods = authenticateClient(server.context, {
        body: { client_id: confidential.id, client_secret: confidential.secret! },
        authorization: basicAuthorization(confidential.id, confidential.secret!),
        onClientAuthentication: async (outcome) => {
          heard.push(outcome)
        },
      })
      expect((await oauthErrorOf(twoMethods)).code).toBe('invalid_request')
      expect(heard).toEqual([])
    })

    it('a rejection ends the request there: no token is issued and no failure event published', async () => {
      const { server, events } = createTestServer()
      const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
      const stop = new Error('over the limit')
      const before = events.length
      for (const client_secret of [client.secret!, 'wrong']) {
        await expect(
          server.issueTokenFromRequest({
            body: { grant_type: 'client_credentials', client_id: client.id, client_secret },
            onClientAuthentication: async () => {
              throw stop
            },
          }),
        ).rejects.toBe(stop)
      }
      expect(events).toHaveLength(before)
    })
  })
})
