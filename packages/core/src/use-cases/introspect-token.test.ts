import { describe, expect, it } from 'vitest'
import {
  createTestClient,
  createTestServer,
  ISSUER,
  obtainTokens,
  refreshBody,
} from '../test-support/test-server.js'

describe('introspectToken (RFC 7662)', () => {
  it('an active access token shows active, scope, client_id, sub, exp, iat and token_type', async () => {
    const { server, clock } = createTestServer()
    const client = await createTestClient(server)
    const caller = await createTestClient(server, { resourceServer: true })
    const issuedAt = Math.floor(clock.now().getTime() / 1000)
    const tokens = await obtainTokens(server, client, { scope: 'invoices.read invoices.write' })
    const principal = await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })
    // A resource server may introspect an access token issued to another client.
    const response = await server.introspectToken({
      token: tokens.access_token,
      callerClientId: caller.id,
      callerIsResourceServer: true,
    })
    expect(response).toEqual({
      active: true,
      scope: 'invoices.read invoices.write',
      client_id: client.id,
      sub: 'user-1',
      username: 'user-1',
      token_type: 'Bearer',
      exp: issuedAt + 3600,
      iat: issuedAt,
      iss: ISSUER,
      jti: principal.tokenId,
    })
  })

  it("another client's access token is { active: false } to a client that is not a resource server, even a live one", async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const partner = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    const asked = (callerClientId: string, callerIsResourceServer?: boolean) =>
      server.introspectToken({
        token: tokens.access_token,
        callerClientId,
        ...(callerIsResourceServer === undefined ? {} : { callerIsResourceServer }),
      })
    expect(await asked(partner.id)).toStrictEqual({ active: false })
    expect(await asked(partner.id, false)).toStrictEqual({ active: false })
    expect(await asked(client.id)).toMatchObject({ active: true, client_id: client.id })
    expect(await asked(partner.id, true)).toMatchObject({ active: true, client_id: client.id })
  })

  it('a client_credentials token names the client as sub and has no username', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    const tokens = await server.issueTokenFromRequest({
      body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret! },
    })
    const response = await server.introspectToken({ token: tokens.access_token, callerClientId: client.id })
    expect(response).toMatchObject({ active: true, sub: client.id, client_id: client.id })
    expect(response).not.toHaveProperty('username')
  })

  it('a JWT access token is introspected too, with its audience', async () => {
    const { server } = createTestServer({
      accessTokenFormat: 'jwt',
      jwt: { audience: 'https://api.example.com' },
    })
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    const response = await server.introspectToken({ token: tokens.access_token, callerClientId: client.id })
    expect(response).toMatchObject({ active: true, aud: 'https://api.example.com', client_id: client.id })
  })

  it('an expired, revoked or unknown access token is exactly { active: false }', async () => {
    const { server, clock } = createTestServer()
    const client = await createTestClient(server)
    const revoked = await obtainTokens(server, client)
    await server.revokeToken({ token: revoked.access_token })
    expect(
      await server.introspectToken({ token: revoked.access_token, callerClientId: client.id }),
    ).toStrictEqual({
      active: false,
    })
    for (const token of [`spoat_${'A'.repeat(43)}`, 'garbage', 'a.b.c']) {
      expect(await server.introspectToken({ token, callerClientId: client.id })).toStrictEqual({
        active: false,
      })
    }
    const expiring = await obtainTokens(server, client)
    clock.advanceMinutes(60)
    expect(
      await server.introspectToken({ token: expiring.access_token, callerClientId: client.id }),
    ).toStrictEqual({
      active: false,
    })
  })

  it('a refresh token is shown to its own client only', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const other = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    const own = await server.introspectToken({
      token: tokens.refresh_token!,
      hint: 'refresh_token',
      callerClientId: client.id,
    })
    expect(own).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      client_id: client.id,
      sub: 'user-1',
    })
    expect(
      await server.introspectToken({
        token: tokens.refresh_token!,
        hint: 'refresh_token',
        callerClientId: other.id,
      }),
    ).toStrictEqual({ active: false })
    expect(
      await server.introspectToken({ token: tokens.refresh_token!, callerClientId: other.id }),
    ).toStrictEqual({
      active: false,
    })
  })

  it('a rotated, revoked or expired refresh token is exactly { active: false }', async () => {
    const { server, clock } = createTestServer()
    const client = await createTestClient(server)
    const rotated = await obtainTokens(server, client)
    const next = await server.issueTokenFromRequest({ body: refreshBody(client, rotated.refresh_token!) })
    expect(
      await server.introspectToken({ token: rotated.refresh_token!, callerClientId: client.id }),
    ).toStrictEqual({
      active: false,
    })
    await server.revokeToken({ token: next.refresh_token! })
    expect(
      await server.introspectToken({ token: next.refresh_token!, callerClientId: client.id }),
    ).toStrictEqual({
      active: false,
    })
    const expiring = await obtainTokens(server, client)
    clock.advanceDays(30)
    expect(
      await server.introspectToken({ token: expiring.refresh_token!, callerClientId: client.id }),
    ).toStrictEqual({ active: false })
  })
})
