// Type-checked under `module: nodenext` and under `moduleResolution: bundler`.
import {
  type AuthorizationServer,
  createAuthorizationServer,
  OAuthError,
  type Principal,
  webCrypto,
} from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createPostgresStorage, type PostgresStorage } from '@sp-oauth/postgres'
import type pg from 'pg'

export function serverOn(pool: pg.Pool): { server: AuthorizationServer; storage: PostgresStorage } {
  const storage = createPostgresStorage({ pool })
  const server = createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    crypto: nodeCrypto({ keys: [{ id: 'k1', secret: 'x'.repeat(32) }] }),
  })
  return { server, storage }
}

export const inMemory: AuthorizationServer = createAuthorizationServer({
  issuer: 'https://auth.example.com',
  storage: createMemoryStorage(),
  crypto: webCrypto({ keys: [{ id: 'k1', secret: 'x'.repeat(32) }] }),
})

export function scopesOf(principal: Principal): readonly string[] {
  return principal.scopes
}

export const isOAuthError = (error: unknown): error is OAuthError => error instanceof OAuthError
