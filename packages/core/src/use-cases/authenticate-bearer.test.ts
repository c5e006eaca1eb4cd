import { decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import type { AccessTokenRecord, BearerTokenRecord } from '../domain/access-token.js'
import { base64UrlEncode } from '../domain/pkce.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import {
  codeExchangeBody,
  createPkce,
  createTestClient,
  createTestServer,
  ISSUER,
  obtainTokens,
  REDIRECT_URI,
  type TestClient,
} from '../test-support/test-server.js'
import { oauthErrorOf } from '../test-support/token-helpers.js'

function bearer(server: AuthorizationServer, token: string) {
  return server.authenticateBearer({ authorization: `Bearer ${token}` })
}

/** Exchanges a code approved with these consent claims. */
async function tokensWithClaims(
  server: AuthorizationServer,
  client: TestClient,
  claims: Record<string, unknown>,
  scope = 'invoices.read',
) {
  const pkce = await createPkce()
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  })
  const { code } = await server.approveAuthorizationRequest(request, 'user-1', { claims })
  return server.issueTokenFromRequest({ body: codeExchangeBody(client, code, pkce.verifier) })
}

/** The rendered response of what `promise` rejects with. */
async function renderedRejection(server: AuthorizationServer, promise: Promise<unknown>) {
  return server.renderError(await oauthErrorOf(promise))
}

describe('authenticateBearer', () => {
  describe('the Authorization header (RFC 6750 §2.1)', () => {
    it('accepts the Bearer scheme in any case', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
        await expect(
          server.authenticateBearer({ authorization: `${scheme} ${tokens.access_token}` }),
        ).resolves.toMatchObject({ clientId: client.id })
      }
    })

    it('no bearer token is a 401 with a Bearer challenge without an error code (RFC 6750 §3.1)', async () => {
      const { server } = createTestServer()
      for (const authorization of [undefined, '', 'Basic dXNlcjpwYXNz']) {
        const error = await oauthErrorOf(server.authenticateBearer({ authorization }))
        expect(error.missingBearer).toBe(true)
        const response = server.renderError(error)
        expect(response.status).toBe(401)
        expect(response.headers['www-authenticate']).toBe('Bearer realm="oauth"')
      }
    })

    it('the challenge names the configured realm', async () => {
      const { server } = createTestServer({ realm: 'invoices-api' })
      const response = await renderedRejection(server, server.authenticateBearer({}))
      expect(response.headers['www-authenticate']).toBe('Bearer realm="invoices-api"')
    })

    it('a malformed header is invalid_request 400', async () => {
      const { server } = createTestServer()
      for (const authorization of ['Bearer', 'Bearer ', 'Bearer two tokens', 'Bearer tök', 'Bearer a,b']) {
        const error = await oauthErrorOf(server.authenticateBearer({ authorization }))
        expect(error.code, authorization).toBe('invalid_request')
        expect(server.renderError(error).status).toBe(400)
      }
    })
  })

  describe('invalid tokens are invalid_token 401 with a Bearer error challenge', () => {
    it('an unknown token', async () => {
      const { server } = createTestServer()
      for (const token of [`spoat_${'A'.repeat(43)}`, 'garbage', 'a.b.c']) {
        const response = await renderedRejection(server, bearer(server, token))
        expect(response.status).toBe(401)
        expect(response.body).toMatchObject({ error: 'invalid_token' })
        expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="oauth", error="invalid_token"/)
      }
    })

    it('an expired token: valid at 59m59s, invalid at 60 minutes', async () => {
      const { server, clock } = createTestServer()
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      clock.advanceSeconds(60 * 60 - 1)
      await expect(bearer(server, tokens.access_token)).resolves.toMatchObject({ clientId: client.id })
      clock.advanceSeconds(1)
      const response = await renderedRejection(server, bearer(server, tokens.access_token))
      expect(response.status).toBe(401)
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"')
    })

    it('a revoked token', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      await server.revokeToken({ token: tokens.access_token })
      expect((await oauthErrorOf(bearer(server, tokens.access_token))).code).toBe('invalid_token')
    })

    it("a revoked client's tokens", async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const other = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      const otherTokens = await obtainTokens(server, other)
      await server.revokeClient(client.id)
      expect((await oauthErrorOf(bearer(server, tokens.access_token))).code).toBe('invalid_token')
      await expect(bearer(server, otherTokens.access_token)).resolves.toMatchObject({ clientId: other.id })
    })

    it('tokens of a client revoked behind this instance (by hand, another instance): refused once the live answer is clientCacheSeconds old, at once by an instance that never saw the client live', async () => {
      const { server, storage, clock } = createTestServer({ clientCacheSeconds: 20 })
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      await expect(bearer(server, tokens.access_token)).resolves.toMatchObject({ clientId: client.id })
      // The client row alone: its token rows stay unrevoked (an interrupted revokeClient, an UPDATE by hand).
      await storage.repositories.clients.revoke(client.id, clock.now())
      await expect(bearer(server, tokens.access_token)).resolves.toMatchObject({ clientId: client.id })
      const fresh = createTestServer({ storage, clock }).server
      expect((await oauthErrorOf(bearer(fresh, tokens.access_token))).code).toBe('invalid_token')
      clock.advanceSeconds(20)
      expect((await oauthErrorOf(bearer(server, tokens.access_token))).code).toBe('invalid_token')
      expect(await server.introspectToken({ token: tokens.access_token, callerClientId: client.id })).toEqual(
        {
          active: false,
        },
      )
    })

    it('revokeClient through this instance refuses the tokens at once, even when revoking the holdings failed', async () => {
      const { server, storage } = createTestServer()
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      await expect(bearer(server, tokens.access_token)).resolves.toMatchObject({ clientId: client.id })
      let units = 0
      const run = storage.unitOfWork.run.bind(storage.unitOfWork)
      Object.assign(storage.unitOfWork, {
        run: (work: Parameters<typeof run>[0]) => {
          units += 1
          return units === 2 ? Promise.reject(new Error('connection lost')) : run(work)
        },
      })
      await expect(server.revokeClient(client.id)).rejects.toThrow('connection lost')
      const { hash } = await server.context.hasher.hash(tokens.access_token)
      expect((await storage.repositories.accessTokens.findByHash(hash))?.revokedAt).toBeNull()
      expect((await oauthErrorOf(bearer(server, tokens.access_token))).code).toBe('invalid_token')
      expect(
        await server.introspectToken({ token: tokens.refresh_token!, callerClientId: client.id }),
      ).toEqual({
        active: false,
      })
    })

    it('a refresh token presented as a bearer token', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      expect((await oauthErrorOf(bearer(server, tokens.refresh_token!))).code).toBe('invalid_token')
    })
  })

  it('the principal carries client, user, grant type, scopes, consent claims, token id, expiry and can()', async () => {
    const { server, clock, events } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await tokensWithClaims(server, client, { tenant: 'acme', roles: ['billing'] })
    const principal = await bearer(server, tokens.access_token)
    const issued = events.at(-1)
    expect(principal).toMatchObject({
      clientId: client.id,
      userId: 'user-1',
      grantType: 'authorization_code',
      scopes: ['invoices.read'],
      claims: { tenant: 'acme', roles: ['billing'] },
      tokenId: issued?.type === 'OAuthTokenIssued' ? issued.accessTokenId : 'missing',
      expiresAt: new Date(clock.now().getTime() + 60 * 60 * 1000),
    })
    expect(principal.can('invoices.read')).toBe(true)
    expect(principal.can('invoices.write')).toBe(false)
    expect(Object.isFrozen(principal)).toBe(true)
  })

  describe('JWT access tokens (RFC 9068)', () => {
    it('have typ at+jwt, kid and alg ES256, and the RFC 9068 claims', async () => {
      const { server, clock } = createTestServer({ accessTokenFormat: 'jwt' })
      const client = await createTestClient(server)
      const tokens = await tokensWithClaims(
        server,
        client,
        { tenant: 'acme' },
        'invoices.read invoices.write',
      )
      const [key] = await server.listSigningKeys()
      expect(decodeProtectedHeader(tokens.access_token)).toEqual({
        alg: 'ES256',
        typ: 'at+jwt',
        kid: key!.kid,
      })
      const now = Math.floor(clock.now().getTime() / 1000)
      const principal = await bearer(server, tokens.access_token)
      expect(decodeJwt(tokens.access_token)).toEqual({
        iss: ISSUER,
        sub: 'user-1',
        aud: ISSUER,
        exp: now + 3600,
        iat: now,
        jti: principal.tokenId,
        client_id: client.id,
        scope: 'invoices.read invoices.write',
        gty: 'authorization_code',
        tenant: 'acme',
      })
    })

    it('consent claims cannot override the reserved claims', async () => {
      const { server } = createTestServer({
        accessTokenFormat: 'jwt',
        jwt: { audience: 'https://api.example.com' },
      })
      const client = await createTestClient(server)
      const tokens = await tokensWithClaims(server, client, {
        sub: 'admin',
        scope: 'everything',
        client_id: 'someone-else',
        aud: 'elsewhere',
        iss: 'https://evil.example',
        // Not set by the server, so only the reserved-claim filter keeps it out.
        nbf: 4_102_444_800,
        tenant: 'acme',
      })
      expect(decodeJwt(tokens.access_token)).not.toHaveProperty('nbf')
      expect(decodeJwt(tokens.access_token)).toMatchObject({
        sub: 'user-1',
        scope: 'invoices.read',
        client_id: client.id,
        aud: 'https://api.example.com',
        iss: ISSUER,
        tenant: 'acme',
      })
      const principal = await bearer(server, tokens.access_token)
      expect(principal).toMatchObject({ userId: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    })

    it('authenticate as bearer tokens, with the same principal as an opaque token', async () => {
      const { server } = createTestServer({ accessTokenFormat: 'jwt' })
      const client = await createTestClient(server)
      const tokens = await tokensWithClaims(server, client, { tenant: 'acme' })
      const principal = await bearer(server, tokens.access_token)
      expect(principal).toMatchObject({
        clientId: client.id,
        userId: 'user-1',
        grantType: 'authorization_code',
        scopes: ['invoices.read'],
        claims: { tenant: 'acme' },
      })
    })

    it('revocation takes effect at once while checkRevocation is on (the default)', async () => {
      const { server } = createTestServer({ accessTokenFormat: 'jwt' })
      expect(server.config.jwtCheckRevocation).toBe(true)
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      await expect(bearer(server, tokens.access_token)).resolves.toMatchObject({ clientId: client.id })
      expect(await server.revokeToken({ token: tokens.access_token })).toBe(true)
      expect((await oauthErrorOf(bearer(server, tokens.access_token))).code).toBe('invalid_token')
    })

    it('with checkRevocation off the bearer check does not look the token up', async () => {
      const storage = createMemoryStorage()
      let lookups = 0
      const findById = storage.repositories.accessTokens.findById
      const counted = {
        ...storage,
        repositories: {
          ...storage.repositories,
          accessTokens: {
            ...storage.repositories.accessTokens,
            findById: (id: string) => {
              lookups++
              return findById(id)
            },
          },
        },
      }
      const { server } = createTestServer({
        storage: counted,
        accessTokenFormat: 'jwt',
        jwt: { checkRevocation: false },
      })
      const client = await createTestClient(server)
      const tokens = await tokensWithClaims(server, client, { tenant: 'acme' })
      lookups = 0
      const principal = await bearer(server, tokens.access_token)
      expect(lookups).toBe(0)
      expect(principal).toMatchObject({
        clientId: client.id,
        userId: 'user-1',
        grantType: 'authorization_code',
        scopes: ['invoices.read'],
        claims: { tenant: 'acme' },
        tokenId: decodeJwt(tokens.access_token).jti,
      })
      expect(principal.can('invoices.read')).toBe(true)
    })

    it('with checkRevocation off a client_credentials principal has no user', async () => {
      const { server } = createTestServer({ accessTokenFormat: 'jwt', jwt: { checkRevocation: false } })
      const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
      const tokens = await server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret! },
      })
      expect(decodeJwt(tokens.access_token).sub).toBe(client.id)
      await expect(bearer(server, tokens.access_token)).resolves.toMatchObject({
        clientId: client.id,
        userId: null,
        grantType: 'client_credentials',
      })
    })

    it.each([true, false])(
      'an expired JWT is invalid_token (checkRevocation %s)',
      async (checkRevocation) => {
        const { server, clock } = createTestServer({ accessTokenFormat: 'jwt', jwt: { checkRevocation } })
        const client = await createTestClient(server)
        const tokens = await obtainTokens(server, client)
        clock.advanceSeconds(60 * 60 - 1)
        await expect(bearer(server, tokens.access_token)).resolves.toMatchObject({ clientId: client.id })
        clock.advanceSeconds(1)
        expect((await oauthErrorOf(bearer(server, tokens.access_token))).code).toBe('invalid_token')
      },
    )

    describe.each([true, false])(
      'forged tokens are invalid_token (checkRevocation %s)',
      (checkRevocation) => {
        async function setUp() {
          const { server } = createTestServer({ accessTokenFormat: 'jwt', jwt: { checkRevocation } })
          const client = await createTestClient(server)
          const tokens = await obtainTokens(server, client)
          const kid = decodeProtectedHeader(tokens.access_token).kid!
          return { server, token: tokens.access_token, claims: decodeJwt(tokens.access_token), kid }
        }

        it('signed by an unknown key', async () => {
          const { server, claims, kid } = await setUp()
          const { privateKey } = await generateKeyPair('ES256')
          for (const headerKid of ['unknown-kid', kid]) {
            const forged = await new SignJWT(claims)
              .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: headerKid })
              .sign(privateKey)
            expect((await oauthErrorOf(bearer(server, forged))).code, headerKid).toBe('invalid_token')
          }
        })

        it('with a tampered payload', async () => {
          const { server, token, claims } = await setUp()
          const [header, , signature] = token.split('.')
          const payload = base64UrlEncode(
            new TextEncoder().encode(
              JSON.stringify({ ...claims, scope: 'invoices.read invoices.write admin' }),
            ),
          )
          expect((await oauthErrorOf(bearer(server, `${header}.${payload}.${signature}`))).code).toBe(
            'invalid_token',
          )
        })

        it('with alg none, or an HMAC algorithm confused for the key', async () => {
          const { server, token, claims, kid } = await setUp()
          const payload = token.split('.')[1]
          const encode = (value: unknown) => base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)))
          const none = encode({ alg: 'none', typ: 'at+jwt', kid })
          const hs256 = await new SignJWT(claims)
            .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
            .sign(new TextEncoder().encode('k'.repeat(32)))
          for (const forged of [`${none}.${payload}.`, `${none}.${payload}.AAAA`, hs256]) {
            expect((await oauthErrorOf(bearer(server, forged))).code, forged).toBe('invalid_token')
          }
        })

        it('with a typ other than at+jwt', async () => {
          const { server, claims, kid } = await setUp()
          const stored = (await server.context.storage.repositories.signingKeys.findByKid(kid))!
          // Stored encrypted: decrypt it as the server does to sign.
          const key = {
            ...stored,
            privateJwk: await server.context.signingKeyEncryption.decrypt(kid, stored.privateJwk),
          }
          const forged = await server.context.jwtSigner.sign(claims, key)
          // The signer always writes typ at+jwt; sign a plain JWT with the real private key instead.
          const privateKey = await importJWK(key.privateJwk as JWK, 'ES256')
          const plainJwt = await new SignJWT(claims)
            .setProtectedHeader({ alg: 'ES256', kid })
            .sign(privateKey)
          await expect(bearer(server, forged)).resolves.toMatchObject({ clientId: claims.client_id })
          expect((await oauthErrorOf(bearer(server, plainJwt))).code).toBe('invalid_token')
        })
      },
    )
  })

  describe("the storage's narrower read (findBearerByHash)", () => {
    /** Memory storage whose access tokens also answer `findBearerByHash`, with the reads counted. */
    function storageWithBearerRead(narrow: (record: AccessTokenRecord) => BearerTokenRecord) {
      const storage = createMemoryStorage()
      const reads: string[] = []
      const { accessTokens } = storage.repositories
      const counted = {
        ...storage,
        repositories: {
          ...storage.repositories,
          accessTokens: {
            ...accessTokens,
            findByHash: (hash: string) => {
              reads.push('findByHash')
              return accessTokens.findByHash(hash)
            },
            findBearerByHash: async (hash: string) => {
              reads.push('findBearerByHash')
              const record = await accessTokens.findByHash(hash)
              return record && narrow(record)
            },
          },
        },
      }
      return { storage: counted, reads }
    }
    const fieldsOf = (record: AccessTokenRecord): BearerTokenRecord => ({
      id: record.id,
      clientId: record.clientId,
      userId: record.userId,
      grantType: record.grantType,
      scopes: record.scopes,
      claims: record.claims,
      expiresAt: record.expiresAt,
      revokedAt: record.revokedAt,
    })

    it('an opaque token is read with it, not findByHash, and the principal is built from what it returned', async () => {
      const { storage, reads } = storageWithBearerRead((record) => ({
        ...fieldsOf(record),
        claims: { read: 'narrow' },
      }))
      const { server } = createTestServer({ storage, accessTokenFormat: 'opaque' })
      const client = await createTestClient(server)
      const tokens = await tokensWithClaims(server, client, { read: 'whole' })
      reads.length = 0
      const principal = await bearer(server, tokens.access_token)
      expect(reads).toEqual(['findBearerByHash'])
      expect(principal).toMatchObject({ clientId: client.id, userId: 'user-1', claims: { read: 'narrow' } })
    })

    it('a revoked or expired token it returns is refused', async () => {
      const { storage } = storageWithBearerRead(fieldsOf)
      const { server, clock } = createTestServer({ storage, accessTokenFormat: 'opaque' })
      const client = await createTestClient(server)
      const revoked = await obtainTokens(server, client)
      expect(await server.revokeToken({ token: revoked.access_token })).toBe(true)
      expect((await oauthErrorOf(bearer(server, revoked.access_token))).code).toBe('invalid_token')
      const expiring = await obtainTokens(server, client)
      await expect(bearer(server, expiring.access_token)).resolves.toMatchObject({ clientId: client.id })
      clock.advanceSeconds(expiring.expires_in)
      expect((await oauthErrorOf(bearer(server, expiring.access_token))).code).toBe('invalid_token')
    })

    it('introspection still reads the whole record with findByHash', async () => {
      const { storage, reads } = storageWithBearerRead(fieldsOf)
      const { server } = createTestServer({ storage, accessTokenFormat: 'opaque' })
      const client = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      reads.length = 0
      const answer = await server.introspectToken({ token: tokens.access_token, callerClientId: client.id })
      expect(answer).toMatchObject({ active: true, client_id: client.id })
      expect(reads).toContain('findByHash')
      expect(reads).not.toContain('findBearerByHash')
    })
  })
})
