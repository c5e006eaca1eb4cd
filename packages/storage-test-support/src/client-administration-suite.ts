// Client administration through the real core on a real SQL storage: paging, search, updates
// racing each other, the authentication method and per-client lifetimes, import checks. The
// storage contract checks the repository's `list` and `update` one by one; this checks what the
// use cases built on them promise, on every SQL backend.
import type { AuthorizationServer, Client, ClientInput, Storage } from '@sp-oauth/core'
import { expect } from 'vitest'
import { coreOn, REDIRECT_URI, sharedClock } from './core-guarantees.js'

const WEB_APP = {
  redirectUris: [REDIRECT_URI],
  allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
  allowedScopes: ['invoices.read', 'invoices.write'],
  confidential: true,
} satisfies Omit<ClientInput, 'name'>

/** Every client of `server` whose name contains `tag`, a page of `limit` at a time. */
async function allPages(server: AuthorizationServer, tag: string, limit: number): Promise<Client[]> {
  const seen: Client[] = []
  let cursor: string | null = null
  do {
    const page = await server.listClients({ search: tag, limit, cursor, includeRevoked: true })
    seen.push(...page.clients)
    cursor = page.nextCursor
  } while (cursor !== null)
  return seen
}

/**
 * Registers, imports, pages through, updates (concurrently too), revokes and checks clients on
 * `storage` (migrated, possibly shared with other tests: everything is found by a tag of its own).
 */
export async function expectClientAdministration(storage: Storage): Promise<void> {
  const clock = sharedClock()
  const server = coreOn(storage, clock)
  const tag = `admin-${crypto.randomUUID().slice(0, 8)}`
  const created: Client[] = []
  for (let i = 0; i < 5; i++) {
    clock.advanceSeconds(1)
    created.push((await server.createClient({ name: `${tag} client ${i}`, ...WEB_APP })).client)
  }
  clock.advanceSeconds(1)
  const imported = await server.importClient({
    id: `${tag}/erp.7`,
    secret: 'Zk3bq9TQ0nqGQ4m1rYcXl2hVt8sWfD6u',
    name: `${tag} imported ERP`,
    ...WEB_APP,
  })
  // Every client once, in registration order, whatever the page size.
  for (const limit of [1, 2, 6, 7]) {
    expect((await allPages(server, tag, limit)).map((client) => client.id)).toEqual(
      [...created, imported].map((client) => client.id),
    )
  }
  expect((await server.listClients({ search: `${tag.toUpperCase()} IMPORTED` })).clients).toEqual([imported])
  expect((await server.listClients({ search: `${tag}/ERP` })).clients.map((client) => client.id)).toEqual([
    imported.id,
  ])
  expect(await server.getClient(imported.id)).toEqual(imported)
  expect(
    await server.checkClientImport({ ...WEB_APP, id: imported.id, secret: 'x'.repeat(16), name: 'Again' }),
  ).toEqual(['id: a client with this id already exists'])

  // Two updates from the same read: both land, one after the other.
  const [first] = created
  await Promise.all([
    server.updateClient(first!.id, { name: `${tag} renamed` }),
    server.updateClient(first!.id, { allowedScopes: ['invoices.read'] }),
  ])
  expect(await server.getClient(first!.id)).toMatchObject({
    name: `${tag} renamed`,
    allowedScopes: ['invoices.read'],
  })
  // Two updates each valid alone, not together: one is refused once it sees the other.
  const service = (
    await server.createClient({ name: `${tag} service`, ...WEB_APP, allowedGrants: ['client_credentials'] })
  ).client
  const outcomes = await Promise.allSettled([
    server.updateClient(service.id, { allowedGrants: ['client_credentials', 'authorization_code'] }),
    server.updateClient(service.id, { redirectUris: [] }),
  ])
  expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
  const final = (await server.getClient(service.id))!
  expect(final.allowedGrants.includes('authorization_code') && final.redirectUris.length === 0).toBe(false)

  // The authentication method and the lifetimes, through the token endpoint.
  const basicOnly = await server.createClient({
    name: `${tag} basic only`,
    ...WEB_APP,
    tokenEndpointAuthMethod: 'client_secret_basic',
    accessTokenTtlMinutes: 5,
  })
  const body = { grant_type: 'client_credentials', scope: 'invoices.read' }
  const basic = `Basic ${btoa(`${basicOnly.client.id}:${basicOnly.plaintextSecret}`)}`
  expect((await server.issueTokenFromRequest({ body, authorization: basic })).expires_in).toBe(300)
  await expect(
    server.issueTokenFromRequest({
      body: { ...body, client_id: basicOnly.client.id, client_secret: basicOnly.plaintextSecret! },
    }),
  ).rejects.toMatchObject({ code: 'invalid_client' })

  // A revoked client stays as it was.
  await server.revokeClient(created[1]!.id)
  await expect(server.updateClient(created[1]!.id, { name: 'Back' })).rejects.toMatchObject({
    code: 'invalid_request',
  })
  expect(
    (await server.listClients({ search: tag, limit: 100 })).clients.map((client) => client.id),
  ).not.toContain(created[1]!.id)
}
