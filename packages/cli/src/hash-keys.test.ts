import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readHashKeys } from './hash-keys.js'

const KEY = 'k'.repeat(32)
const OTHER = 'o'.repeat(40)

function quickstartDataDir(key: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'sp-oauth-cli-keys-'))
  if (key !== null) writeFileSync(join(dir, 'hash-key'), `${key}\n`)
  return dir
}

describe('readHashKeys', () => {
  it('takes SP_OAUTH_HASH_KEYS first: id=secret pairs, the first current', () => {
    const source = readHashKeys(
      { SP_OAUTH_HASH_KEYS: `new=${OTHER}, old=${KEY}`, SP_OAUTH_HASH_KEY: KEY },
      null,
    )
    expect(source?.keys).toEqual([
      { id: 'new', secret: OTHER },
      { id: 'old', secret: KEY },
    ])
  })

  it('takes SP_OAUTH_HASH_KEY with the id "env" (as the quickstart) unless SP_OAUTH_HASH_KEY_ID names another', () => {
    expect(readHashKeys({ SP_OAUTH_HASH_KEY: KEY }, null)?.keys).toEqual([{ id: 'env', secret: KEY }])
    expect(readHashKeys({ SP_OAUTH_HASH_KEY: KEY, SP_OAUTH_HASH_KEY_ID: '2026-01' }, null)?.keys).toEqual([
      { id: '2026-01', secret: KEY },
    ])
  })

  it("on a quickstart's database, uses its generated key (id generated), and keeps it beside SP_OAUTH_HASH_KEY", () => {
    const dir = quickstartDataDir(OTHER)
    const generated = readHashKeys({}, dir)
    expect(generated?.keys).toEqual([{ id: 'generated', secret: OTHER }])
    expect(generated?.description).toContain(join(dir, 'hash-key'))
    expect(readHashKeys({ SP_OAUTH_HASH_KEY: KEY }, dir)?.keys).toEqual([
      { id: 'env', secret: KEY },
      { id: 'generated', secret: OTHER },
    ])
    expect(readHashKeys({}, quickstartDataDir(null))).toBeNull()
  })

  it('is null without any key, so that the command says which variables to set', () => {
    expect(readHashKeys({}, null)).toBeNull()
    expect(readHashKeys({ SP_OAUTH_HASH_KEY: '' }, null)).toBeNull()
  })

  it('refuses a short key, a bad id or a malformed list, naming the variable', () => {
    expect(() => readHashKeys({ SP_OAUTH_HASH_KEY: 'short' }, null)).toThrow(
      'SP_OAUTH_HASH_KEY is 5 characters long; a hash key needs at least 32',
    )
    expect(() => readHashKeys({ SP_OAUTH_HASH_KEY: KEY, SP_OAUTH_HASH_KEY_ID: 'a b' }, null)).toThrow(
      'SP_OAUTH_HASH_KEY_ID="a b" is not a key id',
    )
    expect(() => readHashKeys({ SP_OAUTH_HASH_KEYS: KEY }, null)).toThrow(
      'SP_OAUTH_HASH_KEYS entry 1 is not id=secret',
    )
    expect(() => readHashKeys({ SP_OAUTH_HASH_KEYS: `a=${KEY},a=${OTHER}` }, null)).toThrow('used twice')
    expect(() => readHashKeys({ SP_OAUTH_HASH_KEYS: `a=${KEY},b=short` }, null)).toThrow(
      'SP_OAUTH_HASH_KEYS entry 2 ("b") is 5 characters long',
    )
  })
})
