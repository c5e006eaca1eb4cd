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
import {
  createHash,
  createHmac,
  createSecretKey,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto'

const HOUR_MS = 3_600_000

/**
 * @param pool a `pg` Pool on the bench's database
 * @param tables the schema-qualified, quoted table names: `{ clients, codes, access, refresh }`
 * @param hashKey the hash key's secret and id, as the server under test uses them
 */
export function createPostgresFloor(pool, tables, hashKey) {
  const key = createSecretKey(Buffer.from(hashKey.secret, 'utf8'))
  const hmac = (value) => createHmac('sha256', key).update(value, 'utf8').digest('base64url')
  const counter = { count: 0 }
  const query = (text, values) => {
    counter.count += 1
    return pool.query(text, values)
  }

  /** The client, if its secret matches and it is live; one lookup and one HMAC. */
  async function authenticate(client) {
    const { rows } = await query(`select secret_hash, revoked_at from ${tables.clients} where id = $1`, [
      client.id,
    ])
    const row = rows[0]
    if (row === undefined || row.revoked_at !== null) throw new Error('invalid_client')
    const actual = Buffer.from(hmac(client.secret))
    const wanted = Buffer.from(row.secret_hash)
    if (actual.length !== wanted.length || !timingSafeEqual(actual, wanted)) throw new Error('invalid_client')
  }

  const opaque = (prefix) => `${prefix}${randomBytes(32).toString('base64url')}`
  const live = `exists (select 1 from ${tables.clients} where id = $1::text and revoked_at is null for share)`

  return {
    counter,
    async clientCredentials(client) {
      await authenticate(client)
      const token = opaque('spoat_')
      const now = new Date()
      const { rowCount } = await query(
        `insert into ${tables.access} (id, token_hash, hash_key_id, format, client_id, user_id, grant_type,
           scopes, claims, family_id, created_at, expires_at)
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
      const code = randomBytes(32).toString('base64url')
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
           where code_hash = $3 and consumed_at is null and expires_at > $2 and client_id = $1::text
             and redirect_uri = $4 and code_challenge = $5 and ${live}
           returning grant_id, user_id, scopes, claims),
         stored_access as (
           insert into ${tables.access} (id, token_hash, hash_key_id, format, client_id, user_id, grant_type,
             scopes, claims, family_id, created_at, expires_at)
           select $6, $7, $8, 'opaque', $1::text, user_id, 'authorization_code', scopes, claims, grant_id, $2, $9
           from won),
         stored_refresh as (
           insert into ${tables.refresh} (id, token_hash, hash_key_id, family_id, parent_id, client_id, user_id,
             scopes, claims, access_token_id, family_created_at, created_at, expires_at)
           select $10, $11, $8, grant_id, null, $1::text, user_id, scopes, claims, $6, $2, $2, $12
           from won)
         select count(*)::int as won from won`,
        [
          client.id,
          now,
          hmac(code),
          redirectUri,
          challenge,
          randomUUID(),
          hmac(access),
          hashKey.id,
          new Date(now.getTime() + HOUR_MS),
          randomUUID(),
          hmac(refresh),
          new Date(now.getTime() + 30 * 24 * HOUR_MS),
        ],
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
             and client_id = $1::text and ${live}
           returning id, family_id, family_created_at, user_id, scopes, claims),
         stored_access as (
           insert into ${tables.access} (id, token_hash, hash_key_id, format, client_id, user_id, grant_type,
             scopes, claims, family_id, created_at, expires_at)
           select $4, $5, $6, 'opaque', $1::text, user_id, 'refresh_token', scopes, claims, family_id, $2, $7
           from won),
         stored_refresh as (
           insert into ${tables.refresh} (id, token_hash, hash_key_id, family_id, parent_id, client_id, user_id,
             scopes, claims, access_token_id, family_created_at, created_at, expires_at)
           select $8, $9, $6, family_id, id, $1::text, user_id, scopes, claims, $4, family_created_at, $2, $10
           from won)
         select count(*)::int as won from won`,
        [
          client.id,
          now,
          hmac(token),
          randomUUID(),
          hmac(access),
          hashKey.id,
          new Date(now.getTime() + HOUR_MS),
          randomUUID(),
          hmac(refresh),
          new Date(now.getTime() + 30 * 24 * HOUR_MS),
        ],
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
