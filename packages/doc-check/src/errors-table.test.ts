import { readFileSync } from 'node:fs'
import { OAUTH_ERROR_STATUS } from '@sp-oauth/core'
import { describe, expect, it } from 'vitest'

/** The error codes table of the user's guide: `| \`code\` | status | …`. */
function documentedCodes(): Map<string, string> {
  const page = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')
  const rows = page.matchAll(/^\| `([a-z_]+)` \| ([^|]+) \|/gm)
  return new Map([...rows].map(([, code, status]) => [code!, status!.trim()]))
}

describe('docs/errors.md', () => {
  it('lists every error code the core can send, with its status', () => {
    const documented = documentedCodes()
    for (const [code, status] of Object.entries(OAUTH_ERROR_STATUS)) {
      expect(documented.get(code), code).toBeDefined()
      expect(documented.get(code)!.startsWith(String(status)), `${code}: ${documented.get(code)}`).toBe(true)
    }
  })
})
