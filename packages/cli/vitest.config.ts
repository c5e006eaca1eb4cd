import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// The tests run the built `sp-oauth` (the test script builds it first) as a child process, several
// times per test, against real databases: a test gets a minute on a loaded machine.
export default defineConfig({ test: { ...sharedTestConfig, testTimeout: 60_000 } })
