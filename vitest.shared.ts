// Settings every package's vitest.config.ts shares. Each run also writes a JSON report, which
// `pnpm test` (.ci/test) adds up into one closing "N passed, N failed" line.
import type { ViteUserConfig } from 'vitest/config'

export const sharedTestConfig: NonNullable<ViteUserConfig['test']> = {
  include: ['src/**/*.test.ts', 'src/**/*.test.mjs', 'test/**/*.test.ts'],
  // Property tests and real-database suites share 2 cores with each other under turbo: give each
  // test room, since a timeout here would be load, not a failure of the rule under test.
  testTimeout: 30_000,
  // Set-up hooks create databases (an embedded PGlite takes tens of seconds on a loaded machine).
  hookTimeout: 180_000,
  reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
}
