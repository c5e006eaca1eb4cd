import { expressHarness } from './harness/express-harness.js'
import { describeHttpConformance } from './suite/http-conformance-suite.js'
import { postgresStorage } from './support/storage-under-test.js'

describeHttpConformance(expressHarness, postgresStorage())
