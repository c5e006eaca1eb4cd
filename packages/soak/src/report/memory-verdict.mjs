// What "flat memory" means here, in one place.
//
// The verdict reads three of the readings of the server process taken right after a forced full
// GC (global.gc(), twice) while the load runs: at the end of the warm-up ("start"), half-way
// ("middle") and a second before the end ("end"); the others, at every tenth, show the trend.
// After a full GC, heapUsed is the live objects and compiled code and nothing else: it grows from
// one reading to the next only when they pile up. RSS adds native memory (buffers, sockets, the
// allocator's pages); it is read 50 to 200 ms after the GC, once V8 has handed back the pages the
// GC freed (see process-sampler.mjs).
//
// The verdict compares middle with end, not start with end: before the middle the process is
// still settling (the JIT compiles and deoptimizes, pools reach their size, caches fill, V8 sizes
// its heap), which is growth but not a leak. In the second half nothing should be left to fill.
//
// Memory is flat when, from middle to end, heapUsed after GC grows by less than 10 % and RSS
// after GC by less than 10 %. A reading's noise is what is in flight at that moment (a request or
// two per virtual user) plus, for RSS, the allocator's pages: within about 2 % in our runs. With
// 17 to 19 MiB of heap after GC, 10 % is about 1.8 MiB: over the second half of a 10-minute run
// (about 177 000 requests on two shared cores) a leak of about 11 bytes per request, over the
// 60-second CI run (about 20 000 requests) about 90. A slower leak needs a longer run; the report
// prints the second half's growth per request so it shows before it crosses the limit.

export const FLAT_LIMIT_PERCENT = /** @type {const} */ ({ heapUsed: 10, rss: 10 })

/**
 * @typedef {import('../service/process-sampler.mjs').MemoryAfterGc} MemoryAfterGc
 */

/**
 * @param {{ start: MemoryAfterGc, middle: MemoryAfterGc, end: MemoryAfterGc }} readings
 * @param {number} requestsMiddleToEnd how many requests the server answered between the two
 * @param {(MemoryAfterGc & { label: string })[]} trend every reading, in order, for the report
 */
export function judgeMemory(readings, requestsMiddleToEnd, trend) {
  const { middle, end } = readings
  const percent = (/** @type {number} */ from, /** @type {number} */ to) => ((to - from) / from) * 100
  const heapUsedGrowthPercent = percent(middle.heapUsed, end.heapUsed)
  const rssGrowthPercent = percent(middle.rss, end.rss)
  return {
    readings,
    trend,
    limitsPercent: FLAT_LIMIT_PERCENT,
    heapUsedGrowthPercent,
    rssGrowthPercent,
    heapUsedGrowthBytesPerRequest:
      requestsMiddleToEnd > 0 ? (end.heapUsed - middle.heapUsed) / requestsMiddleToEnd : 0,
    requestsMiddleToEnd,
    flat: heapUsedGrowthPercent < FLAT_LIMIT_PERCENT.heapUsed && rssGrowthPercent < FLAT_LIMIT_PERCENT.rss,
  }
}

/** @typedef {ReturnType<typeof judgeMemory>} MemoryVerdict */
