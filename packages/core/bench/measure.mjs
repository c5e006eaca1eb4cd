// A tiny measuring helper: sequential awaited calls, in batches, after a warm-up.
import { performance } from 'node:perf_hooks'

/** `BENCH_QUICK=1`: a smoke run of a few hundred operations per row. */
export const QUICK = process.env.BENCH_QUICK === '1'
const BATCHES = QUICK ? 5 : 20

/**
 * Measures `op`, called once per input and awaited before the next call. `prepare(n)` returns the
 * inputs of one batch and is not timed (e.g. authorization codes to redeem). With a `baseline`,
 * a batch of it runs after each batch of `op`, so both see the same machine load and the ratio of
 * their means compares like with like.
 *
 * Returns, for `op` (and `baseline`): ops/s and mean µs/op over every batch, and the p99 of the
 * batch means (with 20 batches: the slowest batch).
 */
export async function measure({ batchSize, prepare = (n) => new Array(n).fill(null), op, baseline }) {
  const size = QUICK ? Math.max(20, Math.round(batchSize / 10)) : batchSize
  const blank = new Array(size).fill(null)
  // Warm-up: JIT, key imports, the first signing key.
  await runBatch(await prepare(size), op)
  if (baseline) await runBatch(blank, baseline)
  const subject = { times: [] }
  const reference = { times: [] }
  for (let batch = 0; batch < BATCHES; batch++) {
    const inputs = await prepare(size)
    subject.times.push(await runBatch(inputs, op))
    if (baseline) reference.times.push(await runBatch(blank, baseline))
  }
  return { ...stats(subject.times, size), baseline: baseline ? stats(reference.times, size) : null }
}

async function runBatch(inputs, op) {
  const start = performance.now()
  for (const input of inputs) await op(input)
  return performance.now() - start
}

function stats(batchMs, size) {
  const totalMs = batchMs.reduce((sum, ms) => sum + ms, 0)
  const means = batchMs.map((ms) => (ms * 1000) / size).sort((a, b) => a - b)
  const ops = batchMs.length * size
  return {
    ops,
    opsPerSecond: ops / (totalMs / 1000),
    meanUs: (totalMs * 1000) / ops,
    p99Us: means[Math.ceil(0.99 * means.length) - 1],
  }
}
