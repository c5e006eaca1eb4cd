import { rawHarness } from './harness/raw-harness.js'
import { describeHttpConformance } from './suite/http-conformance-suite.js'
import { memoryStorage } from './support/storage-under-test.js'

describeHttpConformance(rawHarness, memoryStorage())
