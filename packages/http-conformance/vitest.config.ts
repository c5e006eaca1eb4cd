import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

export default defineConfig({
  // Every file's logs are scanned for the credentials its requests carried: see the set-up file.
  test: { ...sharedTestConfig, setupFiles: ['src/support/credential-scan.ts'] },
})
