// Runs the code blocks of the docs marked `<!-- doc-check: run -->` (extract-blocks.mjs lists them
// in blocks/runnable.json), as a reader would paste them: a sample that type-checks but throws
// when run, like one reading an unset variable, fails here.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

interface RunnableBlock {
  readonly block: string
  readonly source: string
}

const blocks = join(import.meta.dirname, '..', 'blocks')
const runnable: readonly RunnableBlock[] = JSON.parse(readFileSync(join(blocks, 'runnable.json'), 'utf8'))

/** The variables the samples read, set as an operator following the docs would set them. */
const ENVIRONMENT = ['SP_OAUTH_HASH_KEY', 'SP_OAUTH_HASH_KEY_2026_06', 'SP_OAUTH_HASH_KEY_2026_01']

describe('the runnable code blocks of the docs', () => {
  beforeAll(() => {
    for (const name of ENVIRONMENT) vi.stubEnv(name, randomBytes(32).toString('hex'))
    // The samples print what they made (a client secret, say): kept out of the test output.
    vi.spyOn(console, 'log').mockImplementation(() => {})
  })
  afterAll(() => {
    vi.unstubAllEnvs()
    vi.restoreAllMocks()
  })

  it('include the README sample and the tutorial', () => {
    const sources = runnable.map(({ source }) => source.split(':')[0])
    expect(sources).toContain('README.md')
    expect(sources.filter((source) => source === 'docs/getting-started.md').length).toBeGreaterThanOrEqual(3)
  })

  for (const { block, source } of runnable) {
    it(`${source} runs`, async () => {
      const module: unknown = await import(pathToFileURL(join(blocks, block)).href)
      expect(module).toBeTypeOf('object')
    })
  }
})
