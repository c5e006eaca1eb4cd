import { describe, expect, it } from 'vitest'
import type { OAuthEventOf } from '../../domain/events.js'
import { s256Challenge } from '../../domain/pkce.js'
import type { AuthorizationServer } from '../../server/create-authorization-server.js'
import {
  authorize,
  codeExchangeBody,
  createTestClient,
  createTestServer,
  forEachIssuancePath,
  REDIRECT_URI,
  refreshBody,
  type TestClient,
} from '../../test-support/test-server.js'
import {
  createFaultyStorage,
  INJECTED_FAILURE,
  insertedAccessTokens,
  insertedRefreshTokens,
  oauthErrorOf,
  type WriteCall,
} from '../../test-support/token-helpers.js'

/** Validates and approves an authorization request with exactly these extra parameters. */
async function authorizeWith(
  server: AuthorizationServer,
  client: TestClient,
  parameters: Record<string, string>,
): Promise<string> {
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    scope: 'invoices.read',
    ...parameters,
  })
  return (await server.approveAuthorizationRequest(request, 'user-1')).code
}

function exchange(server: AuthorizationServer, body: Record<string, string>) {
  return server.issueTokenFromRequest({ body })
}

forEachIssuancePath(() => {
  describe('authorizationCodeGrant', () => {
    it('exchanges a code for tokens bound to the user, client and approved scopes', async () => {
      const { server, events } = createTestServer()
      const client = await createTestClient(server)
      const { code, verifier } = await authorize(server, client, { scope: 'invoices.read invoices.write' })
      const tokens = await exchange(server, codeExchangeBody(client, code, verifier))
      expect(tokens.scopes).toEqual(['invoices.read', 'invoices.write'])
      const principal = await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })
      expect(principal).toMatchObject({
        clientId: client.id,
        userId: 'user-1',
        grantType: 'authorization_code',
      })
      expect(events.at(-1)).toMatchObject({
        type: 'OAuthTokenIssued',
        clientId: client.id,
        userId: 'user-1',
        grantType: 'authorization_code',
        scopes: ['invoices.read', 'invoices.write'],
        accessTokenId: principal.tokenId,
      })
    })

    it('a missing code is invalid_request; an unknown code is invalid_grant', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const { code: _code, ...withoutCode } = codeExchangeBody(client, 'x', null)
      expect((await oauthErrorOf(exchange(server, withoutCode))).code).toBe('invalid_request')
      const unknown = await oauthErrorOf(exchange(server, codeExchangeBody(client, 'not-a-real-code', null)))
      expect(unknown.code).toBe('invalid_grant')
    })

    describe('one-time use', () => {
      it('a code redeemed twice fails invalid_grant and revokes the tokens the first redemption issued', async () => {
        const { server, events } = createTestServer()
        const client = await createTestClient(server)
        const { code, verifier } = await authorize(server, client)
        const tokens = await exchange(server, codeExchangeBody(client, code, verifier))

        const replay = await oauthErrorOf(exchange(server, codeExchangeBody(client, code, verifier)))
        expect(replay.code).toBe('invalid_grant')
        expect(replay.status).toBe(400)

        const bearer = await oauthErrorOf(
          server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` }),
        )
        expect(bearer.code).toBe('invalid_token')
        const refresh = await oauthErrorOf(exchange(server, refreshBody(client, tokens.refresh_token!)))
        expect(refresh.code).toBe('invalid_grant')
        const approved = events.find(
          (event): event is OAuthEventOf<'OAuthAuthorizationApproved'> =>
            event.type === 'OAuthAuthorizationApproved',
        )!
        expect(events.filter((event) => event.type === 'OAuthAuthorizationCodeReplayDetected')).toEqual([
          expect.objectContaining({ clientId: client.id, grantId: approved.grantId }),
        ])
      })

      it('a replayed code also revokes tokens already rotated from its grant', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const { code, verifier } = await authorize(server, client)
        const tokens = await exchange(server, codeExchangeBody(client, code, verifier))
        const rotated = await exchange(server, refreshBody(client, tokens.refresh_token!))
        await oauthErrorOf(exchange(server, codeExchangeBody(client, code, verifier)))
        expect(
          (await oauthErrorOf(server.authenticateBearer({ authorization: `Bearer ${rotated.access_token}` })))
            .code,
        ).toBe('invalid_token')
        expect((await oauthErrorOf(exchange(server, refreshBody(client, rotated.refresh_token!)))).code).toBe(
          'invalid_grant',
        )
      })

      it('a replay leaves other grants of the same client and user alone', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const other = await authorize(server, client)
        const otherTokens = await exchange(server, codeExchangeBody(client, other.code, other.verifier))
        const { code, verifier } = await authorize(server, client)
        await exchange(server, codeExchangeBody(client, code, verifier))
        await oauthErrorOf(exchange(server, codeExchangeBody(client, code, verifier)))
        await expect(
          server.authenticateBearer({ authorization: `Bearer ${otherTokens.access_token}` }),
        ).resolves.toMatchObject({ clientId: client.id })
      })

      it('of 50 concurrent redemptions of one code exactly one succeeds, and its tokens end revoked', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const { code, verifier } = await authorize(server, client)
        const body = codeExchangeBody(client, code, verifier)
        const results = await Promise.allSettled(Array.from({ length: 50 }, () => exchange(server, body)))

        const successes = results.filter((result) => result.status === 'fulfilled')
        const failures = results.filter((result) => result.status === 'rejected')
        expect(successes).toHaveLength(1)
        expect(failures).toHaveLength(49)
        for (const failure of failures) expect(failure.reason).toMatchObject({ code: 'invalid_grant' })

        const winner = successes[0]!.value
        expect(
          (await oauthErrorOf(server.authenticateBearer({ authorization: `Bearer ${winner.access_token}` })))
            .code,
        ).toBe('invalid_token')
        expect((await oauthErrorOf(exchange(server, refreshBody(client, winner.refresh_token!)))).code).toBe(
          'invalid_grant',
        )
      })
    })

    describe('expiry', () => {
      it('a code works for 4m59s and fails at 5 minutes (authCodeTtlMinutes default 5)', async () => {
        const { server, clock } = createTestServer()
        const client = await createTestClient(server)
        const early = await authorize(server, client)
        const late = await authorize(server, client)
        clock.advanceSeconds(4 * 60 + 59)
        await expect(
          exchange(server, codeExchangeBody(client, early.code, early.verifier)),
        ).resolves.toMatchObject({
          token_type: 'Bearer',
        })
        clock.advanceSeconds(1)
        const error = await oauthErrorOf(exchange(server, codeExchangeBody(client, late.code, late.verifier)))
        expect(error.code).toBe('invalid_grant')
      })

      it('follows authCodeTtlMinutes', async () => {
        const { server, clock } = createTestServer({ authCodeTtlMinutes: 1 })
        const client = await createTestClient(server)
        const { code, verifier } = await authorize(server, client)
        clock.advanceSeconds(60)
        expect((await oauthErrorOf(exchange(server, codeExchangeBody(client, code, verifier)))).code).toBe(
          'invalid_grant',
        )
      })
    })

    describe('binding to the client', () => {
      it("another client's credentials are invalid_grant, and the code still works for its own client", async () => {
        const { server, events } = createTestServer()
        const client = await createTestClient(server)
        const thief = await createTestClient(server)
        const { code, verifier } = await authorize(server, client)
        const error = await oauthErrorOf(exchange(server, codeExchangeBody(thief, code, verifier)))
        expect(error.code).toBe('invalid_grant')
        // Not treated as a replay: nothing was revoked or consumed.
        expect(events.some((event) => event.type === 'OAuthAuthorizationCodeReplayDetected')).toBe(false)
        await expect(exchange(server, codeExchangeBody(client, code, verifier))).resolves.toMatchObject({
          token_type: 'Bearer',
        })
      })
    })

    describe('binding to the redirect URI', () => {
      it('a different redirect_uri is invalid_grant', async () => {
        const { server } = createTestServer()
        const other = 'https://client.example.com/other'
        const client = await createTestClient(server, { redirectUris: [REDIRECT_URI, other] })
        const { code, verifier } = await authorize(server, client)
        for (const redirectUri of [
          other,
          `${REDIRECT_URI}/`,
          `${REDIRECT_URI}?x=1`,
          REDIRECT_URI.toUpperCase(),
        ]) {
          const error = await oauthErrorOf(
            exchange(server, { ...codeExchangeBody(client, code, verifier), redirect_uri: redirectUri }),
          )
          expect(error.code, redirectUri).toBe('invalid_grant')
        }
        await expect(exchange(server, codeExchangeBody(client, code, verifier))).resolves.toMatchObject({
          token_type: 'Bearer',
        })
      })

      it('an omitted redirect_uri is invalid_grant when the authorization request sent one', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const { code, verifier } = await authorize(server, client)
        const { redirect_uri: _omitted, ...body } = codeExchangeBody(client, code, verifier)
        expect((await oauthErrorOf(exchange(server, body))).code).toBe('invalid_grant')
      })

      it('redirect_uri may be omitted when the authorization request omitted it too', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const verifier = 'v'.repeat(43)
        const code = await authorizeWith(server, client, {
          code_challenge: await s256Challenge(verifier),
          code_challenge_method: 'S256',
        })
        const { redirect_uri: _omitted, ...body } = codeExchangeBody(client, code, verifier)
        await expect(exchange(server, body)).resolves.toMatchObject({ token_type: 'Bearer' })
      })
    })

    describe('PKCE (RFC 7636)', () => {
      it('S256: the right verifier works; a wrong one is invalid_grant', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const { code, verifier } = await authorize(server, client)
        const wrong = await oauthErrorOf(
          exchange(server, { ...codeExchangeBody(client, code, verifier), code_verifier: 'w'.repeat(43) }),
        )
        expect(wrong.code).toBe('invalid_grant')
        await expect(exchange(server, codeExchangeBody(client, code, verifier))).resolves.toMatchObject({
          token_type: 'Bearer',
        })
      })

      it('S256 matches the RFC 7636 Appendix B example', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const code = await authorizeWith(server, client, {
          redirect_uri: REDIRECT_URI,
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        })
        const body = codeExchangeBody(client, code, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')
        await expect(exchange(server, body)).resolves.toMatchObject({ token_type: 'Bearer' })
      })

      it('plain (when allowed): the verifier must equal the challenge', async () => {
        const { server } = createTestServer({ pkce: { allowPlain: true } })
        const client = await createTestClient(server)
        const challenge = 'p'.repeat(50)
        const plain = {
          redirect_uri: REDIRECT_URI,
          code_challenge: challenge,
          code_challenge_method: 'plain',
        }
        const code = await authorizeWith(server, client, plain)
        // The S256 of the challenge (what the store keeps) is not the plain verifier.
        const wrong = await oauthErrorOf(
          exchange(server, codeExchangeBody(client, code, await s256Challenge(challenge))),
        )
        expect(wrong.code).toBe('invalid_grant')
        await expect(exchange(server, codeExchangeBody(client, code, challenge))).resolves.toMatchObject({
          token_type: 'Bearer',
        })
      })

      it('plain (when allowed): the stored code keeps only SHA-256 of the challenge, never the challenge (the verifier)', async () => {
        const { server, storage } = createTestServer({ pkce: { allowPlain: true } })
        const client = await createTestClient(server)
        const verifier = 'q'.repeat(60)
        const code = await authorizeWith(server, client, {
          redirect_uri: REDIRECT_URI,
          code_challenge: verifier,
          code_challenge_method: 'plain',
        })
        const stored = await storage.repositories.authorizationCodes.findByHash(
          (await server.context.hasher.hash(code)).hash,
        )
        expect(stored).toMatchObject({
          codeChallenge: await s256Challenge(verifier),
          codeChallengeMethod: 'plain',
        })
        expect(JSON.stringify(stored)).not.toContain(verifier)
        await expect(exchange(server, codeExchangeBody(client, code, verifier))).resolves.toMatchObject({
          token_type: 'Bearer',
        })
      })

      it('a malformed verifier is invalid_grant even when it hashes to the challenge', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        for (const verifier of ['too-short', 'x'.repeat(129), `${'a'.repeat(42)} b`, `${'a'.repeat(43)}é`]) {
          const code = await authorizeWith(server, client, {
            redirect_uri: REDIRECT_URI,
            code_challenge: await s256Challenge(verifier),
            code_challenge_method: 'S256',
          })
          const error = await oauthErrorOf(exchange(server, codeExchangeBody(client, code, verifier)))
          expect(error.code, verifier).toBe('invalid_grant')
        }
      })

      it('a missing verifier is invalid_grant when the code was issued with a challenge', async () => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const { code } = await authorize(server, client)
        expect((await oauthErrorOf(exchange(server, codeExchangeBody(client, code, null)))).code).toBe(
          'invalid_grant',
        )
      })

      it('a verifier sent for a code issued without a challenge is invalid_grant (PKCE downgrade)', async () => {
        const { server } = createTestServer({ pkce: { requiredFor: 'public-clients' } })
        const client = await createTestClient(server)
        const { code } = await authorize(server, client, { pkce: false })
        const error = await oauthErrorOf(exchange(server, codeExchangeBody(client, code, 'd'.repeat(43))))
        expect(error.code).toBe('invalid_grant')
        // Without the verifier, the confidential client's code works.
        await expect(exchange(server, codeExchangeBody(client, code, null))).resolves.toMatchObject({
          token_type: 'Bearer',
        })
      })
    })

    it('a public client exchanges its code with PKCE and no secret', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server, { confidential: false })
      expect(client.secret).toBeNull()
      const { code, verifier } = await authorize(server, client)
      const body = codeExchangeBody(client, code, verifier)
      expect(body).not.toHaveProperty('client_secret')
      const tokens = await exchange(server, body)
      expect(tokens.refresh_token).toEqual(expect.any(String))
      const principal = await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })
      expect(principal).toMatchObject({ clientId: client.id, userId: 'user-1' })
    })
  })
})

// Outside forEachIssuancePath: the faulty storage has no atomicIssuance, so these run on the unit
// of work only (the atomic path's all-or-nothing is the storage's, checked by atomicIssuanceContract).
describe('authorizationCodeGrant on the unit of work', () => {
  describe('atomicity: consuming the code and storing the tokens commit together', () => {
    const EXCHANGE_WRITES = ['authorizationCodes.consume', 'accessTokens.insert', 'refreshTokens.insert']

    it('a code exchange makes exactly these writes in one unit of work', async () => {
      const faulty = createFaultyStorage()
      const { server } = createTestServer({ storage: faulty.storage })
      const client = await createTestClient(server)
      const { code, verifier } = await authorize(server, client)
      await exchange(server, codeExchangeBody(client, code, verifier))
      expect(faulty.units.at(-1)!.map((call) => call.name)).toEqual(EXCHANGE_WRITES)
    })

    it.each(EXCHANGE_WRITES.map((name, index) => [index + 1, name] as const))(
      'a failure at write %i (%s) leaves the code unconsumed and no token stored',
      async (n, name) => {
        const faulty = createFaultyStorage()
        const { server } = createTestServer({ storage: faulty.storage })
        const client = await createTestClient(server)
        const { code, verifier } = await authorize(server, client)
        const body = codeExchangeBody(client, code, verifier)

        faulty.failNextUnitOfWorkAt(n)
        const error = await exchange(server, body).then(
          () => null,
          (rejection: unknown) => rejection,
        )
        expect(String(error)).toContain(`${INJECTED_FAILURE} at write ${n} (${name})`)
        const failedUnit: readonly WriteCall[] = faulty.units.at(-1)!
        expect(failedUnit).toHaveLength(n)

        const codeHash = await server.context.hasher.hashWithKey(code, server.context.hasher.currentKeyId)
        expect((await faulty.committed.authorizationCodes.findByHash(codeHash))?.consumedAt).toBeNull()
        for (const token of insertedAccessTokens(failedUnit)) {
          expect(await faulty.committed.accessTokens.findById(token.id)).toBeNull()
        }
        for (const token of insertedRefreshTokens(failedUnit)) {
          expect(await faulty.committed.refreshTokens.findByHash(token.tokenHash)).toBeNull()
        }

        // The failure renders as a bare 500, and the client can simply retry.
        const response = server.renderError(error)
        expect(response.status).toBe(500)
        expect(response.body).toEqual({
          error: 'server_error',
          error_description: 'The server could not complete the request.',
        })
        expect(JSON.stringify(response)).not.toContain(INJECTED_FAILURE)
        await expect(exchange(server, body)).resolves.toMatchObject({ token_type: 'Bearer' })
      },
    )
  })
})
