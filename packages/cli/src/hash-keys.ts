import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HashKey } from '@sp-oauth/core'
import { CliError } from './cli-error.js'

/** The hash keys a command hashes with, and where they came from (said on stderr). */
export interface HashKeySource {
  /** The current key first. */
  readonly keys: readonly HashKey[]
  readonly description: string
}

const MIN_KEY_LENGTH = 32
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/

/**
 * The hash keys from the environment, as the server is configured: `SP_OAUTH_HASH_KEYS`
 * (`id=secret,id2=secret2`, the first current), else `SP_OAUTH_HASH_KEY` with the id in
 * `SP_OAUTH_HASH_KEY_ID` (default `env`, as the quickstart names it). On a quickstart's PGlite
 * database the key the quickstart generated (`<dataDir>/hash-key`, id `generated`) is used when
 * neither variable is set, and kept as an older key beside `SP_OAUTH_HASH_KEY`, as the quickstart
 * does. `null` when there is none.
 *
 * @throws CliError `configuration` naming the variable whose value is not a usable key
 */
export function readHashKeys(
  env: Readonly<Record<string, string | undefined>>,
  quickstartDataDir: string | null,
): HashKeySource | null {
  const generated = quickstartDataDir === null ? null : readGeneratedKey(quickstartDataDir)
  const list = env.SP_OAUTH_HASH_KEYS?.trim()
  if (list) {
    return { keys: parseKeyList(list), description: 'SP_OAUTH_HASH_KEYS' }
  }
  const single = env.SP_OAUTH_HASH_KEY
  if (single) {
    const id = env.SP_OAUTH_HASH_KEY_ID?.trim() || 'env'
    if (!KEY_ID.test(id)) {
      throw new CliError(
        'configuration',
        `SP_OAUTH_HASH_KEY_ID=${JSON.stringify(id)} is not a key id: use 1-64 letters, digits, '.', '_' or '-', the id your server gives this key`,
      )
    }
    checkSecret(single, 'SP_OAUTH_HASH_KEY')
    const keys: HashKey[] = [{ id, secret: single }]
    if (generated && id !== 'generated') keys.push({ id: 'generated', secret: generated.secret })
    return { keys, description: `SP_OAUTH_HASH_KEY (key id "${id}")` }
  }
  if (generated) {
    return {
      keys: [{ id: 'generated', secret: generated.secret }],
      description: `the quickstart's generated key in ${generated.file} (key id "generated")`,
    }
  }
  return null
}

function parseKeyList(list: string): HashKey[] {
  const keys: HashKey[] = []
  const entries = list.split(',').map((entry) => entry.trim())
  entries.forEach((entry, index) => {
    const equals = entry.indexOf('=')
    const id = equals < 0 ? '' : entry.slice(0, equals).trim()
    const secret = equals < 0 ? '' : entry.slice(equals + 1)
    const where = `SP_OAUTH_HASH_KEYS entry ${index + 1}`
    if (equals < 0 || !KEY_ID.test(id)) {
      throw new CliError(
        'configuration',
        `${where} is not id=secret with an id of 1-64 letters, digits, '.', '_' or '-' (format: id=secret,id2=secret2, the first current)`,
      )
    }
    if (keys.some((key) => key.id === id)) {
      throw new CliError('configuration', `${where}: the key id "${id}" is used twice in SP_OAUTH_HASH_KEYS`)
    }
    checkSecret(secret, `${where} ("${id}")`)
    keys.push({ id, secret })
  })
  return keys
}

function checkSecret(secret: string, where: string): void {
  if (secret.length < MIN_KEY_LENGTH) {
    throw new CliError(
      'configuration',
      `${where} is ${secret.length} characters long; a hash key needs at least ${MIN_KEY_LENGTH}: set the key your server hashes with (a new one: openssl rand -hex 32)`,
    )
  }
}

function readGeneratedKey(dataDir: string): { readonly file: string; readonly secret: string } | null {
  const file = join(dataDir, 'hash-key')
  try {
    const secret = readFileSync(file, 'utf8').trim()
    return secret.length >= MIN_KEY_LENGTH ? { file, secret } : null
  } catch {
    return null
  }
}
