import { rawHarness } from './harness/raw-harness.js'
import { describeHttpConformance } from './suite/http-conformance-suite.js'
import { postgresStorage } from './support/storage-under-test.js'

describeHttpConformance(rawHarness, postgresStorage())
