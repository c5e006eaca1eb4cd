import { describe, expect, it } from 'vitest'
import { WEB_APP } from '../test-support/client-fixtures.js'
import { createTestServer } from '../test-support/test-server.js'

describe('getClient', () => {
  it('returns the client without any secret or hash, revoked ones too; null for an unknown or impossible id', async () => {
    const { server } = createTestServer()
    const { client, plaintextSecret } = await server.createClient({ name: 'ERP', ...WEB_APP })
    const found = await server.getClient(client.id)
    expect(found).toEqual(client)
    expect(JSON.stringify(found)).not.toContain(plaintextSecret)
    expect(Object.keys(found!)).not.toContain('secretHash')
    await server.revokeClient(client.id)
    expect((await server.getClient(client.id))?.revokedAt).toBeInstanceOf(Date)
    expect(await server.getClient('00000000-0000-4000-8000-000000000000')).toBeNull()
    expect(await server.getClient('has space')).toBeNull()
  })
})
