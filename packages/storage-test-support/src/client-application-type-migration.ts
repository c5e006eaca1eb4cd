import type { Storage } from '@sp-oauth/core'
import {
  resolveTableNames,
  type SpOAuthDatabase,
  type SqlDialect,
  type SqlStorageOptions,
  spOAuthMigrations,
  TableNamePlugin,
} from '@sp-oauth/sql'
import type { Kysely } from 'kysely'
import { expect } from 'vitest'

/**
 * Migration `0004_client_application_type` on a table that already holds clients: runs the
 * migrations before it by hand, stores a confidential and a public client as they were stored
 * then, runs `0004` (twice: the second run changes nothing), and checks through the repository
 * that both are `web` and only the confidential one has silent consent. Then `down` (twice).
 */
export async function checkClientApplicationTypeMigration(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  location: SqlStorageOptions,
  storageOn: (location: SqlStorageOptions) => Storage,
): Promise<void> {
  const names = resolveTableNames(location)
  const migrations = spOAuthMigrations(names, dialect)
  for (const name of ['0001_initial_schema', '0002_prune_indexes', '0003_atomic_issuance']) {
    await migrations[name]!.up(db)
  }
  const tables = (db as Kysely<SpOAuthDatabase>).withPlugin(new TableNamePlugin(names))
  const now = new Date('2026-01-02T03:04:05.678Z')
  const row = (id: string, confidential: boolean) => ({
    id,
    name: confidential ? 'Old confidential' : 'Old public',
    redirect_uris: dialect.encodeJson(['http://127.0.0.1/callback']),
    allowed_grants: dialect.encodeJson(['authorization_code']),
    allowed_scopes: dialect.encodeJson(['openid']),
    confidential,
    secret_hash: null,
    secret_hash_key_id: null,
    created_at: now,
    updated_at: now,
    revoked_at: null,
  })
  const confidentialId = crypto.randomUUID()
  const publicId = crypto.randomUUID()
  // The columns of 0001 only: the row type names the new ones too, so it is widened here.
  const insertInto = tables.insertInto('clients') as unknown as {
    values(rows: readonly object[]): { execute(): Promise<unknown> }
  }
  await insertInto.values([row(confidentialId, true), row(publicId, false)]).execute()
  const migration = migrations['0004_client_application_type']!
  await migration.up(db)
  await migration.up(db)
  const { clients } = storageOn(location).repositories
  expect(await clients.findById(confidentialId)).toMatchObject({
    applicationType: 'web',
    silentConsent: true,
  })
  expect(await clients.findById(publicId)).toMatchObject({ applicationType: 'web', silentConsent: false })
  await migration.down?.(db)
  await migration.down?.(db)
  const columns = (await db.introspection.getTables()).find(
    (table) =>
      table.name === names.tables.clients && (names.schema === null || table.schema === names.schema),
  )?.columns
  expect(columns?.map((column) => column.name)).not.toContain('application_type')
  expect(columns?.map((column) => column.name)).not.toContain('silent_consent')
}
