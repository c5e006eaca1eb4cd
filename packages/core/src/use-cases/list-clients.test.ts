import { describe, expect, it } from 'vitest'
import { problemsOf, WEB_APP } from '../test-support/client-fixtures.js'
import { createTestServer } from '../test-support/test-server.js'

describe('listClients', () => {
  async function registered(count: number) {
    const test = createTestServer()
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      test.clock.advanceSeconds(1)
      ids.push((await test.server.createClient({ name: `Client ${i}`, ...WEB_APP })).client.id)
    }
    return { ...test, ids }
  }

  it('pages through every client in registration order, each once, with a cursor that ends with null', async () => {
    const { server, ids } = await registered(7)
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page = await server.listClients({ cursor, limit: 3 })
      seen.push(...page.clients.map((client) => client.id))
      cursor = page.nextCursor
      pages++
    } while (cursor !== null)
    expect(seen).toEqual(ids)
    expect(pages).toBe(3)
    // A page that ends exactly at the last client says so.
    expect((await server.listClients({ limit: 7 })).nextCursor).toBeNull()
  })

  it('a client registered while paging appears once, at the end', async () => {
    const { server, ids, clock } = await registered(4)
    const first = await server.listClients({ limit: 2 })
    clock.advanceSeconds(1)
    const late = (await server.createClient({ name: 'Late', ...WEB_APP })).client.id
    const rest = await server.listClients({ cursor: first.nextCursor, limit: 10 })
    expect([...first.clients, ...rest.clients].map((client) => client.id)).toEqual([...ids, late])
  })

  it('leaves revoked clients out unless asked, and searches names and id prefixes ignoring case', async () => {
    const { server, ids } = await registered(3)
    await server.revokeClient(ids[1]!)
    expect((await server.listClients()).clients.map((client) => client.id)).toEqual([ids[0], ids[2]])
    expect((await server.listClients({ includeRevoked: true })).clients).toHaveLength(3)
    expect((await server.listClients({ search: '  CLIENT 2 ' })).clients.map((client) => client.id)).toEqual([
      ids[2],
    ])
    expect((await server.listClients({ search: ids[0]!.slice(0, 8).toUpperCase() })).clients[0]?.id).toBe(
      ids[0],
    )
    expect((await server.listClients({ search: '' })).clients).toHaveLength(2)
  })

  it('names every bad option; a cursor it did not give is refused', async () => {
    const { server } = await registered(1)
    const problems = await problemsOf(
      server.listClients({ limit: 0, includeRevoked: 'yes' as never, search: 'a\u0000', cursor: 'page-2' }),
    )
    expect(problems).toEqual([
      'limit: must be a whole number from 1 to 1000',
      'includeRevoked: must be true or false',
      'search: must be text of at most 200 characters without control characters',
      'cursor: not a cursor listClients gave',
    ])
    for (const cursor of ['c1.x.id', 'c1.1.', 'c1.1.has space', 'c2.1.id']) {
      expect(await problemsOf(server.listClients({ cursor }))).toEqual([
        'cursor: not a cursor listClients gave',
      ])
    }
    await expect(server.listClients({ limit: 1001 })).rejects.toThrow(/limit/)
  })
})
