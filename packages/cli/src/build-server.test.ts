// The server of a command that needs no hash key must not be able to hash with a made-up one: every
// use case that hashes or encrypts fails with the missing-key error and stores nothing.
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { describe, expect, it } from 'vitest'
import { buildServer, DEFAULT_ISSUER } from './build-server.js'
import { CliError, MISSING_HASH_KEY_MESSAGE } from './cli-error.js'

const KEY = { id: 'k1', secret: 'a-hash-key-of-at-least-32-characters' }

describe('buildServer without hash keys', () => {
  it('refuses to create a client, rotate a secret, import a client or make a signing key, and stores nothing', async () => {
    const storage = createMemoryStorage()
    const withKey = buildServer({ storage, issuer: DEFAULT_ISSUER, hashKeys: [KEY] })
    const { client } = await withKey.createClient({
      name: 'Existing',
      redirectUris: [],
      allowedGrants: ['client_credentials'],
      allowedScopes: [],
      confidential: true,
    })
    const server = buildServer({ storage, issuer: DEFAULT_ISSUER, hashKeys: null })
    const missingKey = { name: 'CliError', code: 'configuration', message: MISSING_HASH_KEY_MESSAGE }
    await expect(
      server.createClient({
        name: 'New',
        redirectUris: [],
        allowedGrants: ['client_credentials'],
        allowedScopes: [],
        confidential: true,
      }),
    ).rejects.toMatchObject(missingKey)
    await expect(server.rotateClientSecret(client.id)).rejects.toMatchObject(missingKey)
    await expect(
      server.importClient({
        id: 'imported',
        secret: 'a-secret-of-sixteen-characters',
        name: 'Imported',
        redirectUris: [],
        allowedGrants: ['client_credentials'],
        allowedScopes: [],
        confidential: true,
      }),
    ).rejects.toBeInstanceOf(CliError)
    await expect(server.rotateSigningKey()).rejects.toMatchObject(missingKey)

    const clients = await server.listClients({ includeRevoked: true })
    expect(clients.clients.map((listed) => listed.id)).toEqual([client.id])
    expect(await server.listSigningKeys()).toEqual([])
    // What needs no key works.
    expect(await server.getClient(client.id)).toMatchObject({ id: client.id })
    expect(await server.revokeClient(client.id)).toBe(true)
  })

  it('reports an invalid issuer as a configuration error naming the option and variable', () => {
    expect(() =>
      buildServer({ storage: createMemoryStorage(), issuer: 'not a url', hashKeys: null }),
    ).toThrow(
      expect.objectContaining({
        code: 'configuration',
        message: expect.stringMatching(/^the issuer \(--issuer or SP_OAUTH_ISSUER\):/),
      }),
    )
  })
})
