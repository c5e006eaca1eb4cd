// The raw-SQL floor of the storage bench on PostgreSQL: the least a server must send to do what
// sp-oauth does on each hot path, with the same guarantees, written by hand on a bare `pg` Pool
// against the same tables. Each operation checks the client (one lookup by id, one HMAC), and:
// - client_credentials: one INSERT of the token, only while the client is live (`FOR SHARE`);
// - bearer check: one SELECT of the columns a principal needs, by hash;
// - code exchange: one statement that consumes the code exactly once (unconsumed, unexpired, this
//   client, this redirect URI, this PKCE challenge, the client live) and inserts both tokens from it;
// - refresh: one statement that rotates the token exactly once (unrotated, unrevoked, unexpired,
//   this client, the client live) and inserts the new pair from it.
// Hashes only are stored (HMAC-SHA-256, base64url), as sp-oauth stores them.
import { createHash, randomUUID } from 'node:crypto'
import {
  ACCESS_TOKEN_COLUMNS,
  floorSupport,
  HOUR_MS,
  REFRESH_TOKEN_COLUMNS,
} from '@sp-oauth/storage-test-support/floor-support'

/**
 * `stored_access` and `stored_refresh`: the new pair inserted from the row `won` returned, in the
 * parameter numbering both consuming statements share ($1 client, $2 now, $4-$7 the access token,
 * $8-$10 the refresh token); `grant` is the access token's grant type, `lineage` the refresh token's
 * family, parent and family start, as columns of `won`.
 */
function storePairFromWon(tables, grant, lineage) {
  return `stored_access as (
           insert into ${tables.access} (${ACCESS_TOKEN_COLUMNS})
           select $4, $5, $6, 'opaque', $1::text, user_id, '${grant}', scopes, claims, family_id, $2, $7 from won),
         stored_refresh as (
           insert into ${tables.refresh} (${REFRESH_TOKEN_COLUMNS})
           select $8, $9, $6, family_id, ${lineage.parent}, $1::text, user_id, scopes, claims, $4, ${lineage.familyCreatedAt}, $2, $10
           from won)
         select count(*)::int as won from won`
}

/**
 * @param pool a `pg` Pool on the bench's database
 * @param tables the schema-qualified, quoted table names: `{ clients, codes, access, refresh }`
 * @param hashKey the hash key's secret and id, as the server under test uses them
 */
export function createPostgresFloor(pool, tables, hashKey) {
  const { hmac, counter, query, opaque, checkClient } = floorSupport(hashKey, (text, values) =>
    pool.query(text, values),
  )

  /** The client, if its secret matches and it is live; one lookup and one HMAC. */
  async function authenticate(client) {
    const { rows } = await query(`select secret_hash, revoked_at from ${tables.clients} where id = $1`, [
      client.id,
    ])
    checkClient(rows[0], client.secret)
  }

  const live = `exists (select 1 from ${tables.clients} where id = $1::text and revoked_at is null for share)`
  // The client as an expression, not a column: given `client_id = $1`, PostgreSQL may pick the
  // client_id index over the unique hash, and for a client newer than the statistics read every
  // token of it (sp-oauth checks the client of the row it read, for the same reason).
  const ofClient = `client_id || '' = $1::text`
  /** The parameters $4-$10 of a consuming statement: the new pair's ids, hashes and expiries. */
  const newPair = (now, access, refresh) => [
    randomUUID(),
    hmac(access),
    hashKey.id,
    new Date(now.getTime() + HOUR_MS),
    randomUUID(),
    hmac(refresh),
    new Date(now.getTime() + 30 * 24 * HOUR_MS),
  ]

  return {
    counter,
    async clientCredentials(client) {
      await authenticate(client)
      const token = opaque('spoat_')
      const now = new Date()
      const { rowCount } = await query(
        `insert into ${tables.access} (${ACCESS_TOKEN_COLUMNS})
         select $2, $3, $4, 'opaque', $1::text, null, 'client_credentials', '["invoices.read"]', '{}', null, $5, $6
         where ${live}`,
        [client.id, randomUUID(), hmac(token), hashKey.id, now, new Date(now.getTime() + HOUR_MS)],
      )
      if (rowCount !== 1) throw new Error('invalid_client')
      return token
    },
    async bearer(token) {
      const { rows } = await query(
        `select id, client_id, user_id, grant_type, scopes, claims, expires_at, revoked_at
         from ${tables.access} where token_hash = $1`,
        [hmac(token)],
      )
      const row = rows[0]
      if (row === undefined || row.revoked_at !== null || row.expires_at.getTime() <= Date.now()) {
        throw new Error('invalid_token')
      }
      return row
    },
    /** An approved code for `client` (untimed set-up): the row the authorization endpoint stores. */
    async approve(client, redirectUri, challenge) {
      const code = opaque('')
      const now = new Date()
      await query(
        `insert into ${tables.codes} (code_hash, hash_key_id, grant_id, client_id, user_id, redirect_uri,
           redirect_uri_explicit, scopes, claims, code_challenge, code_challenge_method, created_at, expires_at)
         values ($1, $2, $3, $4, 'bench-user', $5, true, '["invoices.read"]', '{}', $6, 'S256', $7, $8)`,
        [
          hmac(code),
          hashKey.id,
          randomUUID(),
          client.id,
          redirectUri,
          challenge,
          now,
          new Date(now.getTime() + 300_000),
        ],
      )
      return code
    },
    async exchange(client, code, redirectUri, verifier) {
      await authenticate(client)
      const access = opaque('spoat_')
      const refresh = opaque('sport_')
      const now = new Date()
      const challenge = createHash('sha256').update(verifier).digest('base64url')
      const { rows } = await query(
        `with won as (
           update ${tables.codes} set consumed_at = $2
           where code_hash = $3 and consumed_at is null and expires_at > $2 and ${ofClient}
             and redirect_uri = $11 and code_challenge = $12 and ${live}
           returning grant_id as family_id, user_id, scopes, claims),
         ${storePairFromWon(tables, 'authorization_code', { parent: 'null', familyCreatedAt: '$2' })}`,
        [client.id, now, hmac(code), ...newPair(now, access, refresh), redirectUri, challenge],
      )
      if (rows[0].won !== 1) throw new Error('invalid_grant')
      return { access, refresh }
    },
    async refresh(client, token) {
      await authenticate(client)
      const access = opaque('spoat_')
      const refresh = opaque('sport_')
      const now = new Date()
      const { rows } = await query(
        `with won as (
           update ${tables.refresh} set rotated_at = $2
           where token_hash = $3 and rotated_at is null and revoked_at is null and expires_at > $2
             and ${ofClient} and ${live}
           returning id, family_id, family_created_at, user_id, scopes, claims),
         ${storePairFromWon(tables, 'refresh_token', { parent: 'id', familyCreatedAt: 'family_created_at' })}`,
        [client.id, now, hmac(token), ...newPair(now, access, refresh)],
      )
      if (rows[0].won !== 1) {
        // A reuse: the floor, like sp-oauth, revokes the family (the rare path, not measured).
        await query(
          `with family as (select family_id from ${tables.refresh} where token_hash = $1),
             tokens as (update ${tables.refresh} set revoked_at = $2
               where family_id in (select family_id from family) and revoked_at is null)
           update ${tables.access} set revoked_at = $2
           where family_id in (select family_id from family) and revoked_at is null`,
          [hmac(token), now],
        )
        throw new Error('invalid_grant')
      }
      return { access, refresh }
    },
  }
}
