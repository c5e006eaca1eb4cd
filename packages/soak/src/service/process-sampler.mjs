// What the soak measures of the server process: memory (RSS, V8 heap) and event-loop delay every
// second, and on request memory after a forced full garbage collection, the one figure that
// moves only when live objects accumulate (everything else also moves with garbage not yet
// collected).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { getHeapSpaceStatistics } from 'node:v8'

export const SAMPLE_INTERVAL_MS = 1_000
/**
 * When RSS is read after a forced GC: V8 hands the freed pages back to the system from background
 * threads, a few milliseconds after the collection (read at once, RSS can still hold 40 MiB that
 * are already free), while the requests running meanwhile commit new pages again within a
 * second. The lowest of these readings is the RSS of the collected heap.
 */
const RSS_READ_AFTER_GC_MS = [50, 100, 200]
/** Resolution of the event-loop delay histograms: a delay shorter than this is not seen. */
const RESOLUTION_MS = 10

/**
 * The histograms hold the time between two ticks of a `RESOLUTION_MS` timer; the delay is what
 * exceeds the timer's period.
 * @param {number} nanoseconds
 */
const delayMs = (nanoseconds) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS)

/**
 * @typedef {object} ProcessSample
 * @property {number} t seconds since the sampler started
 * @property {number} rss bytes
 * @property {number} heapUsed bytes
 * @property {number} heapTotal bytes
 * @property {number} external bytes
 * @property {number} eventLoopDelayP99Ms over the last second
 * @property {number} eventLoopDelayMaxMs over the last second
 */

/**
 * @typedef {object} MemoryAfterGc
 * @property {number} t seconds since the sampler started
 * @property {number} rss bytes
 * @property {number} heapUsed bytes
 * @property {number} heapTotal bytes
 * @property {number} external bytes
 * @property {number} gcMs how long the two forced collections took (the event loop stood still)
 * @property {Record<string, number>} heapSpaces bytes used per V8 heap space, to tell where growth is
 */

/**
 * @typedef {object} EventLoopDelay over the whole run, in ms beyond the timer's period
 * @property {number} resolutionMs
 * @property {number} p50Ms
 * @property {number} p99Ms
 * @property {number} maxMs
 */

/** @param {(sample: ProcessSample) => void} onSample */
export function startProcessSampler(onSample) {
  const gc = /** @type {(() => void) | undefined} */ (globalThis.gc)
  if (typeof gc !== 'function') throw new Error('the server process needs node --expose-gc')
  const started = performance.now()
  const seconds = () => Math.round(performance.now() - started) / 1000
  const lastSecond = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  const wholeRun = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  lastSecond.enable()
  wholeRun.enable()

  const timer = setInterval(() => {
    const memory = process.memoryUsage()
    onSample({
      t: seconds(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      eventLoopDelayP99Ms: delayMs(lastSecond.percentile(99)),
      eventLoopDelayMaxMs: delayMs(lastSecond.max),
    })
    lastSecond.reset()
  }, SAMPLE_INTERVAL_MS)

  return {
    /** Seconds since the sampler started: the clock of every `t`. */
    seconds,
    /** @returns {Promise<MemoryAfterGc>} */
    async memoryAfterGc() {
      const before = performance.now()
      // Twice: the first collection can leave objects whose finalizers free more on the second.
      gc()
      gc()
      const gcMs = performance.now() - before
      const t = seconds()
      const memory = process.memoryUsage()
      const heapSpaces = Object.fromEntries(
        getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]),
      )
      let rss = memory.rss
      let waited = 0
      for (const at of RSS_READ_AFTER_GC_MS) {
        await sleep(at - waited)
        waited = at
        rss = Math.min(rss, process.memoryUsage.rss())
      }
      return {
        t,
        gcMs,
        rss,
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        external: memory.external,
        heapSpaces,
      }
    },
    /** @returns {EventLoopDelay} */
    stop() {
      clearInterval(timer)
      lastSecond.disable()
      wholeRun.disable()
      return {
        resolutionMs: RESOLUTION_MS,
        p50Ms: delayMs(wholeRun.percentile(50)),
        p99Ms: delayMs(wholeRun.percentile(99)),
        maxMs: delayMs(wholeRun.max),
      }
    },
  }
}
