// The plans PostgreSQL picks for the token endpoint's reads while the statistics lag behind: a
// client newer than the last ANALYZE is estimated to hold no rows, which makes its `client_id`
// index look as selective as the unique hash.
import { buildClientRecord } from '@sp-oauth/core/testing'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { type CompiledQuery, Kysely, PostgresDialect, type RawBuilder, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'

const database = usePostgresTestSchema()
/** Tokens of the new client: enough that reading them all is what the plan must not do. */
const ROWS = 5_000

interface PlanNode {
  readonly 'Relation Name'?: string
  readonly 'Index Name'?: string
  readonly 'Actual Rows'?: number
  readonly 'Rows Removed by Filter'?: number
  readonly Plans?: readonly PlanNode[]
}

/** A migrated storage in tables of its own, on a Kysely that keeps every statement it sends. */
async function loggedStorage() {
  const { pool, schema } = database()
  const statements: CompiledQuery[] = []
  // Not destroyed: the pool belongs to the file.
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      statements.push(event.query)
    },
  })
  const tablePrefix = freshTablePrefix()
  const storage = createPostgresStorage({ db }, { schema, tablePrefix })
  await storage.migrate()
  return { db, schema, tablePrefix, statements, storage }
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)]
}

describe('on PostgreSQL, a code or refresh token read with its client', () => {
  it('goes through the unique hash, not the client_id index, for a client newer than the statistics', async () => {
    const { db, schema, tablePrefix, statements, storage } = await loggedStorage()
    const table = (name: string): RawBuilder<unknown> => sql.id(schema, `${tablePrefix}${name}`)
    const seed = async (clientId: string, tag: string): Promise<void> => {
      await sql`insert into ${table('refresh_tokens')} (id, token_hash, hash_key_id, family_id, client_id, user_id,
          scopes, claims, access_token_id, family_created_at, created_at, expires_at)
        select ${tag} || g, ${tag} || g, 'k1', ${tag} || g, ${clientId}, 'user', '[]'::json, '{}'::json,
          ${tag} || g, now(), now(), now() + interval '1 day'
        from generate_series(1, ${ROWS}) as g`.execute(db)
      await sql`insert into ${table('authorization_codes')} (code_hash, hash_key_id, grant_id, client_id, user_id,
          redirect_uri, redirect_uri_explicit, scopes, claims, created_at, expires_at)
        select ${tag} || g, 'k1', ${tag} || g, ${clientId}, 'user', 'https://client.example.com/cb', true,
          '[]'::json, '{}'::json, now(), now() + interval '5 minutes'
        from generate_series(1, ${ROWS}) as g`.execute(db)
    }
    const known = buildClientRecord()
    await storage.repositories.clients.insert(known)
    await seed(known.id, 'known-')
    for (const name of ['clients', 'refresh_tokens', 'authorization_codes']) {
      await sql`analyze ${table(name)}`.execute(db)
    }
    const fresh = buildClientRecord()
    await storage.repositories.clients.insert(fresh)
    await seed(fresh.id, 'fresh-')

    const reads = [
      {
        table: 'refresh_tokens',
        read: () => storage.repositories.refreshTokens.findByHashWithClient!('fresh-77', fresh.id),
      },
      {
        table: 'authorization_codes',
        read: () => storage.repositories.authorizationCodes.findByHashWithClient!('fresh-77', fresh.id),
      },
    ]
    for (const { table: credentials, read } of reads) {
      statements.length = 0
      expect((await read())?.client.id).toBe(fresh.id)
      const [statement] = statements
      const { rows } = await db.executeQuery<{ 'QUERY PLAN': readonly { Plan: PlanNode }[] }>({
        ...statement!,
        sql: `explain (analyze, format json) ${statement!.sql}`,
      })
      const scans = nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan).filter(
        (node) => node['Relation Name'] === `${tablePrefix}${credentials}`,
      )
      expect(scans, credentials).toHaveLength(1)
      expect(scans[0]!['Index Name'], credentials).not.toContain('client')
      expect(scans[0]!['Rows Removed by Filter'] ?? 0, credentials).toBe(0)
    }
  })
})

describe('on PostgreSQL, a page of clients', () => {
  it('is read through the (created_at, id) index, however deep the page: only its own rows', async () => {
    const { db, schema, tablePrefix, statements, storage } = await loggedStorage()
    const clients = sql.id(schema, `${tablePrefix}clients`)
    await sql`insert into ${clients} (id, name, redirect_uris, allowed_grants, allowed_scopes, confidential,
        application_type, silent_consent, resource_server, created_at, updated_at)
      select 'client-' || g, 'Client ' || g, '[]', '["client_credentials"]', '[]', true, 'web', true, false,
        timestamptz '2030-01-01T00:00:00Z' + g * interval '1 second', now()
      from generate_series(1, 20000) as g`.execute(db)
    await sql`analyze ${clients}`.execute(db)
    const after = { createdAt: new Date('2030-01-01T04:10:00Z'), id: 'client-15000' }
    statements.length = 0
    const page = await storage.repositories.clients.list!({
      after,
      limit: 51,
      includeRevoked: false,
      search: null,
    })
    expect(page.map((client) => client.id)).toEqual(
      Array.from({ length: 51 }, (_, i) => `client-${15001 + i}`),
    )
    const { rows } = await db.executeQuery<{ 'QUERY PLAN': readonly { Plan: PlanNode }[] }>({
      ...statements[0]!,
      sql: `explain (analyze, format json) ${statements[0]!.sql}`,
    })
    const scans = nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan).filter(
      (node) => node['Relation Name'] === `${tablePrefix}clients`,
    )
    expect(scans).toHaveLength(1)
    expect(scans[0]!['Index Name']).toBe(`${tablePrefix}clients_created`)
    expect(scans[0]!['Actual Rows']).toBeLessThanOrEqual(51)
    // The range starts at the cursor's instant: only the cursor's own row is read and dropped.
    expect(scans[0]!['Rows Removed by Filter'] ?? 0).toBeLessThanOrEqual(1)
  })
})
