import type { Counter, Meter } from '@opentelemetry/api'

/** What each counter the core reports counts, for the metric's description and unit. */
const COUNTER_DESCRIPTIONS: Readonly<
  Record<string, { readonly description: string; readonly unit: string }>
> = {
  'sp_oauth.tokens.issued': { description: 'Access tokens issued, by grant type.', unit: '{token}' },
  'sp_oauth.tokens.revoked': {
    description: 'Tokens revoked: presented for revocation, or revoked with a user’s.',
    unit: '{token}',
  },
  'sp_oauth.requests.refused': {
    description: 'Calls of the authorization server that failed, by OAuth error code and use case.',
    unit: '{request}',
  },
}

/**
 * The counters by name, each made on first use. The meter is asked for only then: the metrics API
 * has no proxy (unlike the trace API), so a meter taken before the application registers its
 * MeterProvider would stay a no-op for good.
 */
export function createLazyCounters(meterOf: () => Meter): (name: string) => Counter {
  let meter: Meter | null = null
  const counters = new Map<string, Counter>()
  return (name) => {
    let counter = counters.get(name)
    if (counter === undefined) {
      meter ??= meterOf()
      counter = meter.createCounter(name, COUNTER_DESCRIPTIONS[name] ?? {})
      counters.set(name, counter)
    }
    return counter
  }
}
