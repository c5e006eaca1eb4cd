import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import type { AuthorizationServerOptions, Storage } from '../config/options.js'
import { webCrypto } from '../crypto/web-crypto.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { type AuthorizationServer, createAuthorizationServer } from '../server/create-authorization-server.js'
import { createFakeClock } from './fake-clock.js'
import { randomHash } from './record-builders.js'
import { type StorageFactory, useStorageUnderTest } from './storage-factory.js'

const REDIRECT_URI = 'https://client.example.com/callback'
const HASH_KEYS = { keys: [{ id: 'k1', secret: 'contract-hash-key-0123456789abcdef012345' }] }
const OTHER_HASH_KEYS = { keys: [{ id: 'k2', secret: 'contract-hash-key-2-0123456789abcdef0123' }] }
/** Members a private JWK has and a public one has not (RFC 7518 §6). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

function serverOn(
  storage: Storage,
  overrides: Partial<AuthorizationServerOptions> = {},
): AuthorizationServer {
  return createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    crypto: webCrypto(HASH_KEYS),
    clock: createFakeClock(),
    ...overrides,
  })
}

/**
 * What a copy of the storage must not reveal, checked through real flows of the core on it: a
 * `plain` PKCE code keeps only a hash of its challenge (which is the verifier), and a private
 * signing key is stored encrypted (no private JWK member), still signs after a restart with the
 * same configuration, and fails with a `ConfigurationError` without its key-encryption key. Run by
 * {@link storageContract}, so every storage checks that nothing on its way stores these in clear.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 * @see RFC 7636 §4.2, RFC 9700 §2.1.1
 */
export function storedSecretsContract(factory: StorageFactory): void {
  describe('what a copy of the storage holds', () => {
    const subject = useStorageUnderTest(factory)

    it('a plain PKCE code: the stored code holds no trace of the challenge (the verifier), and the verifier redeems it', async () => {
      const server = serverOn(subject().storage, { pkce: { allowPlain: true } })
      const { client, plaintextSecret } = await server.createClient({
        name: 'Stored secrets client',
        redirectUris: [REDIRECT_URI],
        allowedGrants: ['authorization_code'],
        allowedScopes: ['invoices.read'],
        confidential: true,
      })
      const verifier = `${randomHash()}${randomHash()}`.slice(0, 64)
      const request = await server.validateAuthorizationRequest({
        response_type: 'code',
        client_id: client.id,
        redirect_uri: REDIRECT_URI,
        scope: 'invoices.read',
        code_challenge: verifier,
        code_challenge_method: 'plain',
      })
      const { code } = await server.approveAuthorizationRequest(request, 'user-1')
      const stored = await subject().storage.repositories.authorizationCodes.findByHash(
        (await server.context.hasher.hash(code)).hash,
      )
      expect(stored?.codeChallengeMethod).toBe('plain')
      expect(JSON.stringify(stored)).not.toContain(verifier)
      const tokens = await server.issueTokenFromRequest({
        body: {
          grant_type: 'authorization_code',
          client_id: client.id,
          client_secret: plaintextSecret!,
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: verifier,
        },
      })
      expect(tokens.token_type).toBe('Bearer')
    })

    it('JWT signing keys: the stored private key has no private member; a restart signs with it; without its key-encryption key signing is a ConfigurationError', async () => {
      const { storage } = subject()
      const server = serverOn(storage, { accessTokenFormat: 'jwt' })
      const { client, plaintextSecret } = await server.createClient({
        name: 'Stored secrets machine',
        redirectUris: [],
        allowedGrants: ['client_credentials'],
        allowedScopes: ['invoices.read'],
        confidential: true,
      })
      const body = { grant_type: 'client_credentials', client_id: client.id, client_secret: plaintextSecret! }
      const first = await server.issueTokenFromRequest({ body })
      const kid = decodeProtectedHeader(first.access_token).kid!
      const stored = await storage.repositories.signingKeys.findByKid(kid)
      for (const member of PRIVATE_JWK_MEMBERS) expect(stored?.privateJwk).not.toHaveProperty(member)

      const restarted = serverOn(storage, { accessTokenFormat: 'jwt' })
      const second = await restarted.issueTokenFromRequest({ body })
      expect(decodeProtectedHeader(second.access_token).kid).toBe(kid)
      await expect(
        restarted.authenticateBearer({ authorization: `Bearer ${first.access_token}` }),
      ).resolves.toMatchObject({ clientId: client.id })

      const withoutKek = serverOn(storage, { accessTokenFormat: 'jwt', crypto: webCrypto(OTHER_HASH_KEYS) })
      await expect(withoutKek.context.signingKeys.activeKey()).rejects.toThrow(ConfigurationError)
    })
  })
}
