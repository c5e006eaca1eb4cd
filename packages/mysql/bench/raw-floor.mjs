// The raw-SQL floor of the storage bench on MariaDB/MySQL: the least a server must send to do what
// sp-oauth does on each hot path, with the same guarantees, written by hand on a bare mysql2 pool
// against the same tables. Each operation checks the client (one lookup by id, one HMAC), and:
// - client_credentials: one `INSERT … SELECT` from the client row while it is live (InnoDB
//   share-locks the row it reads);
// - bearer check: one SELECT of the columns a principal needs, by hash;
// - code exchange, refresh: one `CALL` of a procedure of the floor's own (created in the bench's
//   database) that, in one transaction, share-locks the live client, consumes the code (unconsumed,
//   unexpired, this client, this redirect URI, this PKCE challenge) or rotates the refresh token
//   (unrotated, unrevoked, unexpired, this client) exactly once, and inserts the new tokens from it.
// Hashes only are stored (HMAC-SHA-256, base64url), as sp-oauth stores them.
import { createHash, randomUUID } from 'node:crypto'
import {
  ACCESS_TOKEN_COLUMNS,
  floorSupport,
  HOUR_MS,
  REFRESH_TOKEN_COLUMNS,
} from '@sp-oauth/storage-test-support/floor-support'

const TEXT = 'varchar(255) character set utf8mb4'

/**
 * One floor procedure: in a transaction, share-lock the live client, run `claim` (an `UPDATE` of
 * one row of `source`, found by `p_hash`), and only if it changed the row, insert the new pair from
 * that row; `select won`. `grant` is the access token's grant type, `lineage` the refresh token's
 * family, parent and family start as columns (or parameters) of the claimed row. Parameters: the
 * client, the hash, now, the new pair's ids, hashes, hash key and expiries, then `extra`.
 */
function floorProcedure(prefix, name, { extra = '', claim, source, grant, lineage }) {
  const t = (table) => `\`${prefix}${table}\``
  return `create procedure ${name}(in p_client ${TEXT}, in p_hash ${TEXT}, in p_now datetime(3),
       in p_access_id ${TEXT}, in p_access_hash ${TEXT}, in p_key ${TEXT}, in p_access_expires datetime(3),
       in p_refresh_id ${TEXT}, in p_refresh_hash ${TEXT}, in p_refresh_expires datetime(3)${extra})
     modifies sql data
     begin
       declare v_live int default 0;
       declare exit handler for sqlexception begin rollback; resignal; end;
       start transaction;
       select count(*) into v_live from ${t('clients')} where id = p_client and revoked_at is null lock in share mode;
       ${claim(t)};
       if row_count() = 1 then
         insert into ${t('access_tokens')} (${ACCESS_TOKEN_COLUMNS})
           select p_access_id, p_access_hash, p_key, 'opaque', p_client, user_id, '${grant}', scopes, claims,
             ${lineage.family}, p_now, p_access_expires from ${t(source)} where ${lineage.hashColumn} = p_hash;
         insert into ${t('refresh_tokens')} (${REFRESH_TOKEN_COLUMNS})
           select p_refresh_id, p_refresh_hash, p_key, ${lineage.family}, ${lineage.parent}, p_client, user_id, scopes,
             claims, p_access_id, ${lineage.familyCreatedAt}, p_now, p_refresh_expires
           from ${t(source)} where ${lineage.hashColumn} = p_hash;
         commit;
         select 1 as won;
       else
         rollback;
         select 0 as won;
       end if;
     end`
}

/** The floor's two procedures, for tables named with `prefix`. */
function procedures(prefix) {
  return [
    floorProcedure(prefix, 'floor_redeem', {
      extra: `, in p_redirect varchar(2048) character set utf8mb4, in p_challenge ${TEXT}`,
      claim: (t) => `update ${t('authorization_codes')} set consumed_at = p_now
         where code_hash = p_hash and consumed_at is null and expires_at > p_now and client_id = p_client
           and redirect_uri = p_redirect and code_challenge = p_challenge and v_live = 1`,
      source: 'authorization_codes',
      grant: 'authorization_code',
      lineage: { hashColumn: 'code_hash', family: 'grant_id', parent: 'null', familyCreatedAt: 'p_now' },
    }),
    floorProcedure(prefix, 'floor_rotate', {
      claim: (t) => `update ${t('refresh_tokens')} set rotated_at = p_now
         where token_hash = p_hash and rotated_at is null and revoked_at is null and expires_at > p_now
           and client_id = p_client and v_live = 1`,
      source: 'refresh_tokens',
      grant: 'refresh_token',
      lineage: {
        hashColumn: 'token_hash',
        family: 'family_id',
        parent: 'id',
        familyCreatedAt: 'family_created_at',
      },
    }),
  ]
}

/** The `won` of a `CALL`: mysql2 answers with the result sets, then a status. */
const wonOf = ([results]) => Number(results[0][0].won) === 1

/**
 * `pool.query` as a promise of `[rows, fields]`, on the callback API: mysql2's promise wrapper
 * makes an `Error` per query (for its stack), which costs the floor node CPU that sp-oauth, on
 * Kysely's driver over the callback API, does not pay.
 */
const promised = (pool) => (text, values) =>
  new Promise((resolve, reject) => {
    pool.query(text, values, (error, rows, fields) => (error ? reject(error) : resolve([rows, fields])))
  })

/**
 * @param pool a mysql2 pool (callback API) on the bench's database, `timezone: 'Z'`
 * @param prefix the tables' prefix
 * @param hashKey the hash key's secret and id, as the server under test uses them
 */
export async function createMysqlFloor(pool, prefix, hashKey) {
  const run = promised(pool)
  for (const procedure of procedures(prefix)) await run(procedure, [])
  const { hmac, counter, query, opaque, checkClient } = floorSupport(hashKey, run)
  const t = (name) => `\`${prefix}${name}\``
  const later = (now, ms) => new Date(now.getTime() + ms)
  /** The procedures' parameters after the client, the hash and now: the new pair. */
  const newPair = (now, access, refresh) => [
    randomUUID(),
    hmac(access),
    hashKey.id,
    later(now, HOUR_MS),
    randomUUID(),
    hmac(refresh),
    later(now, 30 * 24 * HOUR_MS),
  ]

  async function authenticate(client) {
    const [rows] = await query(`select secret_hash, revoked_at from ${t('clients')} where id = ?`, [
      client.id,
    ])
    checkClient(rows[0], client.secret)
  }

  return {
    counter,
    async clientCredentials(client) {
      await authenticate(client)
      const token = opaque('spoat_')
      const now = new Date()
      const [result] = await query(
        `insert into ${t('access_tokens')} (${ACCESS_TOKEN_COLUMNS})
         select ?, ?, ?, 'opaque', id, null, 'client_credentials', '["invoices.read"]', '{}', null, ?, ?
         from ${t('clients')} where id = ? and revoked_at is null`,
        [randomUUID(), hmac(token), hashKey.id, now, later(now, HOUR_MS), client.id],
      )
      if (result.affectedRows !== 1) throw new Error('invalid_client')
      return token
    },
    async bearer(token) {
      const [rows] = await query(
        `select id, client_id, user_id, grant_type, scopes, claims, expires_at, revoked_at
         from ${t('access_tokens')} where token_hash = ?`,
        [hmac(token)],
      )
      const row = rows[0]
      const expiresAt = row?.expires_at instanceof Date ? row.expires_at : new Date(`${row?.expires_at}Z`)
      if (row === undefined || row.revoked_at !== null || expiresAt.getTime() <= Date.now()) {
        throw new Error('invalid_token')
      }
      return row
    },
    async approve(client, redirectUri, challenge) {
      const code = opaque('')
      const now = new Date()
      await query(
        `insert into ${t('authorization_codes')} (code_hash, hash_key_id, grant_id, client_id, user_id, redirect_uri,
           redirect_uri_explicit, scopes, claims, code_challenge, code_challenge_method, created_at, expires_at)
         values (?, ?, ?, ?, 'bench-user', ?, true, '["invoices.read"]', '{}', ?, 'S256', ?, ?)`,
        [hmac(code), hashKey.id, randomUUID(), client.id, redirectUri, challenge, now, later(now, 300_000)],
      )
      return code
    },
    async exchange(client, code, redirectUri, verifier) {
      await authenticate(client)
      const access = opaque('spoat_')
      const refresh = opaque('sport_')
      const now = new Date()
      const challenge = createHash('sha256').update(verifier).digest('base64url')
      const won = wonOf(
        await query('call floor_redeem(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
          client.id,
          hmac(code),
          now,
          ...newPair(now, access, refresh),
          redirectUri,
          challenge,
        ]),
      )
      if (!won) throw new Error('invalid_grant')
      return { access, refresh }
    },
    async refresh(client, token) {
      await authenticate(client)
      const access = opaque('spoat_')
      const refresh = opaque('sport_')
      const now = new Date()
      const won = wonOf(
        await query('call floor_rotate(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
          client.id,
          hmac(token),
          now,
          ...newPair(now, access, refresh),
        ]),
      )
      if (!won) {
        // A reuse: the floor, like sp-oauth, revokes the family (the rare path, not measured).
        const [rows] = await query(`select family_id from ${t('refresh_tokens')} where token_hash = ?`, [
          hmac(token),
        ])
        for (const table of ['refresh_tokens', 'access_tokens']) {
          await query(`update ${t(table)} set revoked_at = ? where family_id = ? and revoked_at is null`, [
            now,
            rows[0]?.family_id ?? null,
          ])
        }
        throw new Error('invalid_grant')
      }
      return { access, refresh }
    },
  }
}
