import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { context, metrics, trace } from '@opentelemetry/api'
import { afterAll, describe, expect, it, vi } from 'vitest'

afterAll(() => {
  trace.disable()
  metrics.disable()
  context.disable()
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('the README example', () => {
  it('is readme-example.ts, but for the import of this package', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const block = readme.split('```ts\n')[1]!.split('```')[0]!
    const example = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8')
      // Its first two lines say what the file is; the README imports the package by name.
      .split('\n')
      .slice(2)
      .join('\n')
      .replace(
        "from './index.js' // '@sp-oauth/opentelemetry' in the README",
        "from '@sp-oauth/opentelemetry'",
      )
    expect(block.trim()).toBe(example.trim())
  })

  it('prints the spans of the issuance, its storage calls among them, and the tokens issued', async () => {
    vi.stubEnv('SP_OAUTH_HASH_KEY', randomBytes(32).toString('hex'))
    const printed: unknown[] = []
    vi.spyOn(console, 'dir').mockImplementation((item) => void printed.push(item))
    await import('./readme-example.js')

    const spans = printed as { name?: string; parentSpanContext?: { spanId: string }; id?: string }[]
    const root = spans.find((span) => span.name === 'sp_oauth.issueTokenFromRequest')
    expect(root).toBeDefined()
    expect(
      spans.filter((span) => span.parentSpanContext?.spanId === root!.id).map((span) => span.name),
    ).toContain('sp_oauth.storage.clients.findById')
    const issued = printed.find(
      (item) => (item as { descriptor?: { name?: string } }).descriptor?.name === 'sp_oauth.tokens.issued',
    ) as { dataPoints: { attributes: Record<string, unknown>; value: number }[] } | undefined
    expect(issued?.dataPoints).toMatchObject([
      { attributes: { 'oauth.grant_type': 'client_credentials' }, value: 1 },
    ])
  })
})
