// `pnpm soak -- --duration 600`: runs the mixed workload against the server process for the given
// time, reads its memory after warm-up, half-way and at the end, prints the report and exits 1
// when anything failed (any 5xx, unexpected answer, network error, job error, lost event, or memory
// not flat), 2 on a wrong command line.
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { createHttpClient } from './load/http-client.mjs'
import { createRouteStats } from './load/route-stats.mjs'
import { runVirtualUser } from './load/virtual-user.mjs'
import { parseOptions, USAGE } from './options.mjs'
import { checkEvents } from './report/event-checks.mjs'
import { judgeMemory } from './report/memory-verdict.mjs'
import { renderReport } from './report/render-report.mjs'
import { judgeRun } from './report/run-verdict.mjs'
import { startServiceProcess } from './service-process.mjs'

const parsed = parseOptions(process.argv.slice(2), process.env)
if (parsed.options === null) {
  console.error(`${parsed.problems.map((problem) => `soak: ${problem}`).join('\n')}\n\n${USAGE}`)
  process.exit(2)
}
const options = parsed.options

/** Warm-up before the first reading: a tenth of the run, between 5 s and 60 s. */
const warmUpSeconds = Math.min(60, Math.max(5, options.durationSeconds / 10))
/** How often a progress line is printed. */
const progressEverySeconds = options.durationSeconds <= 120 ? 10 : 30
const schema = `sp_oauth_soak_${randomBytes(5).toString('hex')}`
const title =
  `sp-oauth soak: ${options.durationSeconds} s, ${options.users} virtual users` +
  `${options.thinkMs > 0 ? ` (think time ${options.thinkMs} ms)` : ''}, Express 5 on PostgreSQL, ` +
  `Node ${process.version}, ${cpus().length} CPUs`

console.log(
  `${title}\nschema ${schema} on ${withoutPassword(options.databaseUrl)}; warm-up ${warmUpSeconds} s\n`,
)

const service = await startServiceProcess({
  databaseUrl: options.databaseUrl,
  schema,
  userCount: options.users,
}).catch(async (/** @type {Error} */ error) => {
  console.error(`soak: could not start the server: ${error.message}`)
  await dropSchema()
  process.exit(1)
})

const stats = createRouteStats()
const journeys = { completed: 0, aborted: 0 }
const send = createHttpClient(`http://127.0.0.1:${service.ready.port}`, stats)
const startedMs = performance.now()
const deadlineMs = startedMs + options.durationSeconds * 1000
/** @type {unknown} a failure of the soak script itself, which ends the run at once */
let scriptFailure = null
const keepGoing = () => scriptFailure === null && service.died === null && performance.now() < deadlineMs

const load = Promise.all(
  Object.entries(service.ready.users).map(([username, password], index) =>
    runVirtualUser({
      send,
      clients: service.ready.clients,
      username,
      password,
      // Users start at different journeys, so the branches (deny, replay, reuse) interleave.
      firstJourney: index * 7,
      keepGoing,
      thinkMs: options.thinkMs,
      journeys,
    }),
  ),
)
/** Rejects as soon as a virtual user fails for a reason of its own (a bug, not a bad answer). */
const loadFailed = load.then(
  () => new Promise(() => {}),
  (error) => {
    scriptFailure = error
    throw error
  },
)
loadFailed.catch(() => {})
const progress = setInterval(() => printProgress(), progressEverySeconds * 1000)

/** @type {import('./report/memory-verdict.mjs').MemoryVerdict | null} */
let memory = null
/** @type {Awaited<ReturnType<typeof service.stop>> | null} */
let stopped = null
// Ctrl-C: no report, but no schema left behind either.
process.once('SIGINT', () => {
  console.error('\nsoak: interrupted; dropping the schema')
  service.kill()
  dropSchema().finally(() => process.exit(130))
})
try {
  memory = await readMemoryDuringLoad()
  await load
  clearInterval(progress)
  stopped = await service.stop()
} catch (error) {
  clearInterval(progress)
  console.error(`soak: ${error instanceof Error ? error.message : String(error)}`)
  service.kill()
  await load.catch((/** @type {unknown} */ error) => {
    if (error !== scriptFailure) console.error(error)
  })
  if (scriptFailure !== null) console.error(scriptFailure)
} finally {
  await dropSchema()
}

const elapsedSeconds = (performance.now() - startedMs) / 1000
const routes = stats.summary()
const background = stopped?.background ?? null
const events = checkEvents(routes, background?.relay.delivered ?? {})
const verdict = judgeRun({ routes, memory, background, events, serverDied: service.died })
if (scriptFailure !== null) {
  verdict.pass = false
  verdict.reasons.push('the soak script failed (see above)')
}
const report = {
  title,
  elapsedSeconds,
  journeys,
  routes,
  memory,
  samples: service.samples,
  eventLoopDelay: stopped?.eventLoopDelay ?? null,
  background,
  events,
  verdict,
}
console.log(`\n${renderReport(report)}`)
if (options.jsonFile !== null) {
  await writeFile(
    options.jsonFile,
    `${JSON.stringify({ options: { ...options, databaseUrl: withoutPassword(options.databaseUrl) }, schema, warmUpSeconds, ...report }, null, 2)}\n`,
  )
  console.log(`\nNumbers written to ${options.jsonFile}.`)
}
process.exit(verdict.pass ? 0 : 1)

/**
 * Memory after a forced GC while the load runs: after the warm-up ("start"), at every tenth of the
 * run from the second on (the fifth is "middle"), and a second before the deadline ("end"), since
 * after it the users wind down and the heap holds less in flight. The verdict reads start, middle
 * and end; the tenths between show the trend.
 */
async function readMemoryDuringLoad() {
  const { durationSeconds } = options
  const checkpoints = [
    { label: 'start', seconds: warmUpSeconds },
    ...[2, 3, 4, 5, 6, 7, 8, 9]
      .map((tenth) => ({
        label: tenth === 5 ? 'middle' : `${tenth}0 %`,
        seconds: (durationSeconds * tenth) / 10,
      }))
      .filter(({ seconds }) => seconds > warmUpSeconds),
    { label: 'end', seconds: durationSeconds - 1 },
  ]
  /** @type {{ label: string, reading: import('./service/process-sampler.mjs').MemoryAfterGc, requests: number }[]} */
  const trend = []
  for (const { label, seconds } of checkpoints) {
    const wait = sleep(Math.max(0, startedMs + seconds * 1000 - performance.now()))
    await Promise.race([wait, loadFailed, service.death])
    trend.push({ label, reading: await service.memoryAfterGc(label), requests: stats.total() })
  }
  const at = (/** @type {string} */ label) =>
    /** @type {(typeof trend)[number]} */ (trend.find((r) => r.label === label))
  return judgeMemory(
    { start: at('start').reading, middle: at('middle').reading, end: at('end').reading },
    at('end').requests - at('middle').requests,
    trend.map(({ label, reading }) => ({ label, ...reading })),
  )
}

function printProgress() {
  const seconds = (performance.now() - startedMs) / 1000
  const { all } = stats.summary()
  const failed = all.unexpected4xx + all.serverError + all.network + all.wrongAnswer
  const sample = service.samples.at(-1)
  const memoryNow = sample
    ? `, rss ${(sample.rss / 2 ** 20).toFixed(0)} MiB, heap ${(sample.heapUsed / 2 ** 20).toFixed(0)} MiB, ` +
      `loop delay p99 ${sample.eventLoopDelayP99Ms.toFixed(0)} ms`
    : ''
  console.log(
    `t=${seconds.toFixed(0)} s: ${all.requests} requests (${(all.requests / seconds).toFixed(0)}/s), ` +
      `${failed} failed, p99 ${all.p99Ms.toFixed(0)} ms${memoryNow}`,
  )
}

/** The soak's schema goes, whatever happened: a failed run must not leave tables behind. */
async function dropSchema() {
  const client = new pg.Client({ connectionString: options.databaseUrl })
  try {
    await client.connect()
    await client.query(`drop schema if exists "${schema}" cascade`)
  } catch (error) {
    console.error(`soak: could not drop schema ${schema}: ${error instanceof Error ? error.message : error}`)
  } finally {
    await client.end().catch(() => {})
  }
}

/** @param {string} url */
function withoutPassword(url) {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url
  }
}
