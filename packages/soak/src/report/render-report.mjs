// The report: markdown tables, readable in a terminal and pasteable into a note as they are.
import { ROUTES } from '../load/virtual-user.mjs'
import { signed } from './run-verdict.mjs'

/**
 * @typedef {import('../service/process-sampler.mjs').ProcessSample} ProcessSample
 */

/**
 * @param {object} report
 * @param {string} report.title
 * @param {number} report.elapsedSeconds how long the load actually ran
 * @param {{ completed: number, aborted: number }} report.journeys
 * @param {import('../load/route-stats.mjs').RouteSummary} report.routes
 * @param {import('./memory-verdict.mjs').MemoryVerdict | null} report.memory
 * @param {ProcessSample[]} report.samples
 * @param {import('../service/process-sampler.mjs').EventLoopDelay | null} report.eventLoopDelay
 * @param {import('../service/soak-service.mjs').BackgroundReport | null} report.background
 * @param {import('./event-checks.mjs').EventChecks} report.events
 * @param {{ pass: boolean, reasons: string[] }} report.verdict
 */
export function renderReport(report) {
  return [
    `## ${report.title}`,
    '',
    ...requestsTable(report.routes),
    '',
    `${report.routes.all.requests} requests in ${report.elapsedSeconds.toFixed(0)} s ` +
      `(${(report.routes.all.requests / report.elapsedSeconds).toFixed(0)}/s); journeys: ` +
      `${report.journeys.completed} completed, ${report.journeys.aborted} ended early by an error.`,
    '',
    '### Errors by kind',
    '',
    ...errorsTable(report.routes),
    '',
    '### Memory and event loop of the server process',
    '',
    ...memoryTable(report.memory, report.samples),
    '',
    ...memoryLines(report.memory, report.eventLoopDelay),
    '',
    '### Jobs running alongside',
    '',
    ...jobsTable(report.background, report.events),
    '',
    report.verdict.pass ? '**Result: PASS**' : `**Result: FAIL**: ${report.verdict.reasons.join('; ')}`,
  ].join('\n')
}

/** @param {import('../load/route-stats.mjs').RouteSummary} routes */
function requestsTable(routes) {
  const order = (/** @type {string} */ route) => {
    const index = ROUTES.indexOf(route)
    return index === -1 ? ROUTES.length : index
  }
  const rows = [...routes.rows].sort((a, b) => order(a.route) - order(b.route))
  const line = (/** @type {string} */ name, /** @type {(typeof rows)[number] | typeof routes.all} */ row) =>
    `| ${name} | ${row.requests} | ${row.ok} | ${row.expected4xx} | ${row.unexpected4xx} | ${row.serverError} | ` +
    `${row.network} | ${row.wrongAnswer} | ${ms(row.p50Ms)} | ${ms(row.p99Ms)} |`
  return [
    '| route | requests | 2xx/3xx | 4xx expected | 4xx unexpected | 5xx | network error | wrong answer | p50 ms | p99 ms |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map((row) => line(row.route, row)),
    line('**all**', routes.all),
  ]
}

/** @param {import('../load/route-stats.mjs').RouteSummary} routes */
function errorsTable(routes) {
  const labels = {
    unexpected4xx: '4xx unexpected',
    serverError: '5xx',
    network: 'network error',
    wrongAnswer: 'wrong answer',
    ok: 'ok',
    expected4xx: '4xx expected',
  }
  if (routes.problems.length === 0) return ['None: every request got the answer its step expects.']
  return [
    '| kind | route | count | what | first example |',
    '|---|---|--:|---|---|',
    ...routes.problems.map(
      (problem) =>
        `| ${labels[problem.outcome]} | ${problem.route} | ${problem.count} | ${cell(problem.detail)} | ` +
        `${cell(problem.example)} |`,
    ),
    ...(routes.problemsBeyondExamples > 0
      ? [`| (other kinds, not itemized) | | ${routes.problemsBeyondExamples} | | |`]
      : []),
  ]
}

/**
 * @param {import('./memory-verdict.mjs').MemoryVerdict | null} memory
 * @param {ProcessSample[]} samples
 */
function memoryTable(memory, samples) {
  if (memory === null) return ['No memory readings: the run ended before its middle.']
  const { start, middle, end } = memory.readings
  /** The highest per-second sample of `field` in (from, to]. */
  const highest = (
    /** @type {'rss' | 'heapUsed' | 'eventLoopDelayP99Ms' | 'eventLoopDelayMaxMs'} */ field,
    /** @type {number} */ from,
    /** @type {number} */ to,
  ) => Math.max(...samples.filter((s) => s.t > from && s.t <= to).map((s) => s[field]), 0)
  /** @type {[number, number][]} the stretch of run each column covers */
  const windows = [
    [0, start.t],
    [start.t, middle.t],
    [middle.t, end.t],
  ]
  const row = (
    /** @type {string} */ name,
    /** @type {string[]} */ values,
    /** @type {string} */ change = '',
    /** @type {string} */ limit = '',
  ) => `| ${name} | ${values.join(' | ')} | ${change} | ${limit} |`
  const readings = [start, middle, end]
  const peaks = (
    /** @type {Parameters<typeof highest>[0]} */ field,
    /** @type {(n: number) => string} */ unit,
  ) => windows.map(([from, to]) => unit(highest(field, from, to)))
  const delay = (/** @type {number} */ value) => `${ms(value)} ms`
  return [
    `| server process | start (t=${start.t.toFixed(0)} s, after warm-up) | middle (t=${middle.t.toFixed(0)} s) | end (t=${end.t.toFixed(0)} s) | middle → end | flat when |`,
    '|---|--:|--:|--:|--:|--:|',
    row(
      'heapUsed after forced GC',
      readings.map((r) => mib(r.heapUsed)),
      `${signed(memory.heapUsedGrowthPercent)} %`,
      `< +${memory.limitsPercent.heapUsed} %`,
    ),
    row(
      'RSS after forced GC',
      readings.map((r) => mib(r.rss)),
      `${signed(memory.rssGrowthPercent)} %`,
      `< +${memory.limitsPercent.rss} %`,
    ),
    row('heapUsed, highest 1-s sample since the previous column', peaks('heapUsed', mib)),
    row('RSS, highest 1-s sample since the previous column', peaks('rss', mib)),
    row('event-loop delay, worst 1-s p99 since the previous column', peaks('eventLoopDelayP99Ms', delay)),
    row('event-loop delay, max since the previous column', peaks('eventLoopDelayMaxMs', delay)),
  ]
}

/**
 * @param {import('./memory-verdict.mjs').MemoryVerdict | null} memory
 * @param {import('../service/process-sampler.mjs').EventLoopDelay | null} eventLoopDelay
 */
function memoryLines(memory, eventLoopDelay) {
  const lines = []
  if (memory !== null) {
    const series = (/** @type {'heapUsed' | 'rss'} */ field) =>
      memory.trend.map((reading) => (reading[field] / 2 ** 20).toFixed(1)).join(', ')
    lines.push(
      `Every reading after forced GC (${memory.trend.map((reading) => reading.label).join(', ')}), MiB: ` +
        `heapUsed ${series('heapUsed')}; RSS ${series('rss')}.`,
    )
    const perRequest = memory.heapUsedGrowthBytesPerRequest
    lines.push(
      `Memory flat: **${memory.flat ? 'yes' : 'no'}**. Flat means: from middle to end, heapUsed after a forced ` +
        `full GC grows by less than ${memory.limitsPercent.heapUsed} % and RSS after it by less than ` +
        `${memory.limitsPercent.rss} %. Here: heapUsed ${signed(memory.heapUsedGrowthPercent)} % ` +
        `(${signed(perRequest)} bytes per request over ${memory.requestsMiddleToEnd} requests), ` +
        `RSS ${signed(memory.rssGrowthPercent)} %.`,
    )
  }
  if (eventLoopDelay !== null) {
    const gcs =
      memory === null
        ? ''
        : `; the longest of the ${memory.trend.length} forced GCs of the memory readings stalled it ` +
          `${ms(Math.max(...memory.trend.map((reading) => reading.gcMs)))} ms`
    lines.push(
      `Event-loop delay over the whole run (${eventLoopDelay.resolutionMs} ms resolution): p50 ` +
        `${ms(eventLoopDelay.p50Ms)} ms, p99 ${ms(eventLoopDelay.p99Ms)} ms, max ${ms(eventLoopDelay.maxMs)} ms${gcs}.`,
    )
  }
  return lines.flatMap((line, index) => (index === 0 ? [line] : ['', line]))
}

/**
 * @param {import('../service/soak-service.mjs').BackgroundReport | null} background
 * @param {import('./event-checks.mjs').EventChecks} events
 */
function jobsTable(background, events) {
  if (background === null) return ['No report: the server process did not stop cleanly.']
  const { relay, prune } = background
  const deliveredTotal = Object.values(relay.delivered).reduce((sum, count) => sum + count, 0)
  const byType = Object.entries(relay.delivered)
    .sort(([, a], [, b]) => b - a)
    .map(([type, count]) => `${type.replace(/^OAuth/, '')} ${count}`)
    .join(', ')
  const deleted = prune.deleted
  const errors = (/** @type {{ count: number, examples: string[] }} */ log) =>
    log.count === 0 ? '0' : `${log.count}: ${cell(log.examples.join(' / '))}`
  return [
    '| job | what it did | errors |',
    '|---|---|--:|',
    `| outbox relay (polls every 1 s) | ${deliveredTotal} events delivered (${byType}); ${relay.drainedAtStop} drained at stop, ${relay.undeliveredAtEnd} left undelivered | ${errors(relay.errors)} |`,
    `| pruneExpired() every ${prune.intervalMs / 1000} s, every retention 0 | ${prune.rounds} rounds; deleted ${deleted.authorizationCodes} codes, ${deleted.accessTokens} access tokens, ${deleted.refreshTokens} refresh tokens, ${deleted.eventOutbox} outbox rows, ${deleted.consentTickets} consent tickets | ${errors(prune.errors)} |`,
    ...events.map(
      (check) =>
        `| events = responses | ${check.event}: ${check.delivered} delivered, ${check.responses} ${check.of} ${check.matches ? '(equal)' : '**(differ)**'} | ${check.matches ? '0' : '1'} |`,
    ),
  ]
}

/** @param {number} value */
function ms(value) {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1)
}

/** @param {number} bytes */
function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** Text safe inside a table cell. */
function cell(/** @type {string} */ text) {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 160)
}
