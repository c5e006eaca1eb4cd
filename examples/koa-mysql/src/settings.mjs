// The settings both commands read from the environment, checked with one message for each problem.
import { createPool } from 'mysql2'

/** @param {NodeJS.ProcessEnv} env */
export function readSettings(env) {
  const problems = []
  const databaseUrl = env.DATABASE_URL
  if (!databaseUrl?.startsWith('mysql://')) {
    problems.push('DATABASE_URL: the MySQL or MariaDB database, e.g. mysql://root@127.0.0.1:3306/oauth')
  }
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
    // `timezone: 'Z'`: the storage reads and writes every time in UTC.
    pool: createPool({ uri: /** @type {string} */ (databaseUrl), timezone: 'Z' }),
    hashKey: /** @type {string} */ (hashKey),
    port,
    issuer: env.ISSUER ?? `http://127.0.0.1:${port}`,
  }
}
