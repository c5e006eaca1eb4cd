// Every request's outcome and latency, per route. Latencies go into HDR histograms (bounded
// memory, exact enough percentiles) rather than arrays: a ten-minute run makes hundreds of
// thousands of requests.
import { createHistogram } from 'node:perf_hooks'

/** What became of a request. Only `ok` and `expected4xx` are what the journey asked for. */
export const OUTCOMES = /** @type {const} */ ([
  'ok',
  'expected4xx',
  'unexpected4xx',
  'serverError',
  'network',
  'wrongAnswer',
])

/** @typedef {(typeof OUTCOMES)[number]} Outcome */

/** Distinct problems kept with an example each; past that, only counted. */
const KEPT_PROBLEMS = 50

export function createRouteStats() {
  /** @type {Map<string, { counts: Record<Outcome, number>, latency: import('node:perf_hooks').RecordableHistogram }>} */
  const routes = new Map()
  /** @type {Map<string, { outcome: Outcome, route: string, detail: string, count: number, example: string }>} */
  const problems = new Map()
  let uncountedProblems = 0
  let total = 0
  const allLatency = createHistogram()

  return {
    /**
     * @param {string} route
     * @param {Outcome} outcome
     * @param {number} latencyMs
     * @param {{ detail: string, example: string } | null} problem what went wrong, when something did
     */
    record(route, outcome, latencyMs, problem) {
      let entry = routes.get(route)
      if (entry === undefined) {
        const counts = /** @type {Record<Outcome, number>} */ (
          Object.fromEntries(OUTCOMES.map((o) => [o, 0]))
        )
        entry = { counts, latency: createHistogram() }
        routes.set(route, entry)
      }
      entry.counts[outcome]++
      total++
      const micros = Math.max(1, Math.round(latencyMs * 1000))
      entry.latency.record(micros)
      allLatency.record(micros)
      if (problem === null) return
      const key = `${outcome}\u0000${route}\u0000${problem.detail}`
      const known = problems.get(key)
      if (known !== undefined) known.count++
      else if (problems.size < KEPT_PROBLEMS) problems.set(key, { outcome, route, ...problem, count: 1 })
      else uncountedProblems++
    },
    /** How many requests so far, whatever their outcome. */
    total: () => total,
    /** Per route, in the order routes were first seen (the order of a journey). */
    summary() {
      const rows = [...routes].map(([route, { counts, latency }]) => ({
        route,
        requests: OUTCOMES.reduce((sum, outcome) => sum + counts[outcome], 0),
        ...counts,
        p50Ms: latency.percentile(50) / 1000,
        p99Ms: latency.percentile(99) / 1000,
        maxMs: latency.max / 1000,
      }))
      return {
        rows,
        all: {
          requests: total,
          .../** @type {Record<Outcome, number>} */ (
            Object.fromEntries(OUTCOMES.map((o) => [o, rows.reduce((sum, row) => sum + row[o], 0)]))
          ),
          p50Ms: allLatency.percentile(50) / 1000,
          p99Ms: allLatency.percentile(99) / 1000,
          maxMs: allLatency.max / 1000,
        },
        problems: [...problems.values()].sort((a, b) => b.count - a.count),
        problemsBeyondExamples: uncountedProblems,
      }
    },
  }
}

/** @typedef {ReturnType<ReturnType<typeof createRouteStats>['summary']>} RouteSummary */
