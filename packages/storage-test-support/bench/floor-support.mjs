// What the raw-SQL floors of both storage benches share (packages/postgres/bench/raw-floor.mjs,
// packages/mysql/bench/raw-floor.mjs): the HMAC of secrets and tokens as sp-oauth stores them, the
// client check, the token columns, and a count of the statements sent.
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto'

export const HOUR_MS = 3_600_000
export const ACCESS_TOKEN_COLUMNS =
  'id, token_hash, hash_key_id, format, client_id, user_id, grant_type, scopes, claims, family_id, created_at, expires_at'
export const REFRESH_TOKEN_COLUMNS =
  'id, token_hash, hash_key_id, family_id, parent_id, client_id, user_id, scopes, claims, access_token_id, family_created_at, created_at, expires_at'

/**
 * The floor's crypto and bookkeeping for `hashKey` (the server under test's hash key):
 * `hmac(value)` as sp-oauth stores hashes (HMAC-SHA-256, base64url), `opaque(prefix)` a new token,
 * `checkClient(row, secret)` the client check (throws unless `row` is a live client whose stored
 * hash is the secret's), and `counted(query)` the query function with `counter.count` kept.
 */
export function floorSupport(hashKey, query) {
  const key = createSecretKey(Buffer.from(hashKey.secret, 'utf8'))
  const hmac = (value) => createHmac('sha256', key).update(value, 'utf8').digest('base64url')
  const counter = { count: 0 }
  return {
    hmac,
    counter,
    query: (text, values) => {
      counter.count += 1
      return query(text, values)
    },
    opaque: (prefix) => `${prefix}${randomBytes(32).toString('base64url')}`,
    checkClient(row, secret) {
      if (row === undefined || row.revoked_at !== null) throw new Error('invalid_client')
      const actual = Buffer.from(hmac(secret))
      const wanted = Buffer.from(row.secret_hash)
      if (actual.length !== wanted.length || !timingSafeEqual(actual, wanted))
        throw new Error('invalid_client')
    },
  }
}
