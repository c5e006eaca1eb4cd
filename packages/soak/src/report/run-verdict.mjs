// Pass or fail, with every reason: what CI gates on (exit code 1 on a failure).

/**
 * @param {object} run
 * @param {import('../load/route-stats.mjs').RouteSummary} run.routes
 * @param {import('./memory-verdict.mjs').MemoryVerdict | null} run.memory null when the run ended before its readings
 * @param {import('../service/soak-service.mjs').BackgroundReport | null} run.background null when the server never stopped cleanly
 * @param {import('./event-checks.mjs').EventChecks} run.events
 * @param {string | null} run.serverDied
 */
export function judgeRun({ routes, memory, background, events, serverDied }) {
  /** @type {string[]} */
  const reasons = []
  const { all } = routes
  if (all.serverError > 0) reasons.push(`${all.serverError} responses 5xx`)
  if (all.unexpected4xx > 0) reasons.push(`${all.unexpected4xx} unexpected 4xx`)
  if (all.network > 0) reasons.push(`${all.network} network errors`)
  if (all.wrongAnswer > 0) reasons.push(`${all.wrongAnswer} wrong answers`)
  if (serverDied !== null) reasons.push(serverDied)
  if (background === null) {
    reasons.push('no report from the background jobs')
  } else {
    const { relay, prune } = background
    if (relay.errors.count > 0) reasons.push(`${relay.errors.count} outbox relay errors`)
    if (relay.undeliveredAtEnd > 0) reasons.push(`${relay.undeliveredAtEnd} events left in the outbox`)
    if (prune.errors.count > 0) reasons.push(`${prune.errors.count} pruning errors`)
    for (const check of events) {
      if (!check.matches) {
        reasons.push(`${check.delivered} ${check.event} events delivered for ${check.responses} ${check.of}`)
      }
    }
  }
  if (memory === null) reasons.push('no memory readings')
  else if (!memory.flat) {
    reasons.push(
      `memory not flat (middle → end: heapUsed ${signed(memory.heapUsedGrowthPercent)} %, RSS ${signed(memory.rssGrowthPercent)} %)`,
    )
  }
  return { pass: reasons.length === 0, reasons }
}

/** @param {number} value */
export function signed(value) {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`
}
