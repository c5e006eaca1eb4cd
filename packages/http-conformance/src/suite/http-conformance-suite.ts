import { describe } from 'vitest'
import type { AdapterHarness } from '../harness/adapter-harness.js'
import type { StorageUnderTest } from '../support/storage-under-test.js'
import { describeAuthorizationErrors } from './authorization-errors.js'
import { describeConsent } from './consent.js'
import { describeConsentTicket } from './consent-ticket.js'
import { useTargets } from './environments.js'
import { describeInteractionRules } from './interaction-rules.js'
import { describeReplay } from './replay.js'
import { describeResourceMiddleware } from './resource-middleware.js'
import { describeSeedFlows } from './seed-flows.js'
import { describeTokenEndpoint } from './token-endpoint.js'

/**
 * The whole HTTP conformance suite against one adapter on one storage: two servers (opaque and
 * JWT access tokens) of this file's own, on real sockets.
 */
export function describeHttpConformance(harness: AdapterHarness, storage: StorageUnderTest): void {
  describe(`${harness.name} on ${storage.name}`, () => {
    const targets = useTargets(harness, storage)
    describeSeedFlows(targets)
    describeConsent(targets)
    describeConsentTicket(targets)
    describeInteractionRules(targets)
    describeAuthorizationErrors(targets)
    describeTokenEndpoint(targets)
    describeReplay(targets)
    describeResourceMiddleware(targets)
  })
}
