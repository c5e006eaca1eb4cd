// The settings both commands read from the environment, checked with one message for each problem.
import pg from 'pg'

/** @param {NodeJS.ProcessEnv} env */
export function readSettings(env) {
  const problems = []
  const databaseUrl = env.DATABASE_URL
  if (!databaseUrl)
    problems.push('DATABASE_URL: the PostgreSQL server, e.g. postgres://user@127.0.0.1:5432/app')
  const hashKey = env.SP_OAUTH_HASH_KEY
  if (!hashKey || Buffer.byteLength(hashKey) < 32) {
    problems.push('SP_OAUTH_HASH_KEY: at least 32 bytes of secret, e.g. the output of `openssl rand -hex 32`')
  }
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('PORT: a port number')
  if (problems.length > 0) {
    console.error(`Cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    process.exit(1)
  }
  return {
    pool: new pg.Pool({ connectionString: databaseUrl }),
    hashKey: /** @type {string} */ (hashKey),
    port,
    issuer: env.ISSUER ?? `http://127.0.0.1:${port}`,
    schema: env.DATABASE_SCHEMA,
  }
}
