// Settings every package's vitest.config.ts shares. Under CI each run also writes a JSON report,
// which .ci/run adds up into one closing "N passed, N failed" line.
import type { ViteUserConfig } from 'vitest/config'

export const sharedTestConfig: NonNullable<ViteUserConfig['test']> = {
  include: ['src/**/*.test.ts', 'src/**/*.test.mjs', 'test/**/*.test.ts'],
  reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
}
