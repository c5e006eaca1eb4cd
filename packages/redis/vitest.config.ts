import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// One test file at a time: the outage tests pause the whole Redis server (CLIENT PAUSE), which
// would stall another file's limiter into its own timeouts.
export default defineConfig({ test: { ...sharedTestConfig, fileParallelism: false } })
