// The storage bench shared by @sp-oauth/postgres and @sp-oauth/mysql. Each backend runs the
// core's hot paths with 16 concurrent callers beside the same operation on in-memory storage in the
// same run, counts the statements each operation sends (BEGIN/COMMIT included, through Kysely's
// `log`), times bearer checks as the token tables grow, and, where the backend has a raw-SQL
// floor, compares each hot path with it at the smallest and largest size.
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import {
  CALLERS,
  concurrently,
  createClient,
  fmt,
  measureOn,
  OPS,
  perSecond,
  QUICK,
  ROUND_TRIP_SAMPLES,
  roundTrips,
  row,
  SCENARIOS,
  serverOn,
  sizeLabel,
} from './bench-operations.mjs'
import { compareWithFloor, printFloorGrowth } from './floor-comparison.mjs'

export { createStatementCounter, HASH_KEYS, QUICK } from './bench-operations.mjs'

/** The sizes at which the floor comparison runs (each token table holding that many). */
const FLOOR_SIZES = QUICK ? [1_000, 10_000] : [1_000, 1_000_000]

/**
 * Runs every scenario on every backend, then the growth check. A backend is `{ name, open }`;
 * `open()` resolves `{ storage, counter, seedTokens(total, clientId), seedSizes, note?,
 * explainLookup?(), floor?, databaseCpu?(), close() }` on a fresh, migrated schema: `floor` is the
 * backend's raw-SQL floor (see {@link compareWithFloor}), `databaseCpu()` the database server's CPU
 * µs so far (see `process-cpu.mjs`), for the CPU per operation. `seedTokens` fills the access- and
 * refresh-token tables up to `total` seeded rows each, and should leave the
 * table as a running server's would be (statistics fresh, the seeding's writes flushed), so the
 * timed checks do not pay for the seeding; `explainLookup()` describes what one lookup by hash
 * costs the database at the current size (plan, pages), for the growth table.
 */
export async function runStorageBench(title, backends) {
  console.log(`# ${title} bench${QUICK ? ' (BENCH_QUICK=1: smoke run, numbers are rough)' : ''}\n`)
  console.log(
    `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}; ${CALLERS} concurrent callers; ` +
      'node:crypto hashing (nodeCrypto); each operation beside the same one on in-memory storage, ' +
      'measured right after it in the same run. Round trips: statements per operation run alone ' +
      `(mean of ${ROUND_TRIP_SAMPLES}), BEGIN/COMMIT included.\n`,
  )
  const growth = []
  for (const backend of backends) {
    const opened = await backend.open()
    try {
      console.log(`## ${backend.name}\n`)
      if (opened.note) console.log(`${opened.note}\n`)
      row([
        'operation',
        'ops/s',
        'p50 ms',
        'p99 ms',
        'round trips',
        'in-memory ops/s',
        'in-memory p50 ms',
        'in-memory p99 ms',
      ])
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'])
      const listings = []
      for (const scenario of SCENARIOS) {
        const db = await measureOn(opened.storage, scenario, opened.counter, opened.databaseCpu)
        listings.push({ name: scenario.name, statements: db.statements })
        const memory = await measureOn(createMemoryStorage(), scenario, null)
        row([
          scenario.name,
          perSecond(db.opsPerSecond),
          fmt(db.p50Ms),
          fmt(db.p99Ms),
          fmt(db.roundTrips, 1),
          perSecond(memory.opsPerSecond),
          fmt(memory.p50Ms, 3),
          fmt(memory.p99Ms, 3),
        ])
      }
      console.log('\nStatements of one operation, in order:\n')
      for (const { name, statements } of listings) {
        console.log(
          `- ${name}: ${statements.length === 0 ? '(none)' : statements.map((text) => `\`${text}\``).join(' → ')}`,
        )
      }
      console.log('')
      growth.push({ backend: backend.name, rows: await measureGrowth(opened) })
    } finally {
      await opened.close()
    }
  }
  console.log('## Bearer checks (opaque) as the access-token table grows\n')
  console.log(
    `At each size, after seeding: ${GROWTH_WARM_UP} untimed checks, then ${GROWTH_RUNS} timed run(s) of ` +
      `${OPS.bearer} checks of 100 tokens issued after seeding; the median run is reported, since one run ` +
      'lasts under a second and moves by tens of percent with whatever else the machine does. The last ' +
      'column, where the backend gives it, is what one lookup by hash costs the database.\n',
  )
  for (const { backend, rows } of growth) {
    console.log(`### ${backend}\n`)
    row([
      'stored access tokens',
      'seed s',
      'ops/s (median)',
      'ops/s (each run)',
      'p50 ms',
      'p99 ms',
      'round trips',
      'one lookup in the database',
    ])
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---'])
    for (const result of rows) {
      row([
        `${sizeLabel(result.size)} (${result.stored.toLocaleString('en-US')})`,
        fmt(result.seedSeconds, 1),
        perSecond(result.opsPerSecond),
        result.runs.map(perSecond).join(' / '),
        fmt(result.p50Ms),
        fmt(result.p99Ms),
        fmt(result.roundTrips, 1),
        result.lookup ?? '—',
      ])
    }
    console.log('')
  }
}

const GROWTH_WARM_UP = 500
const GROWTH_RUNS = QUICK ? 1 : 3

/**
 * Seeds the token tables size by size; at each, times bearer checks, and at the floor sizes runs
 * the floor comparison (printed as it goes).
 */
async function measureGrowth(opened) {
  const scenario = SCENARIOS.find((candidate) => candidate.name === 'bearer check, opaque')
  const server = serverOn(opened.storage, scenario.options)
  const client = await createClient(server)
  const floorServer = serverOn(opened.storage)
  const floorClient = await createClient(floorServer)
  const rows = []
  const compared = []
  if (opened.floor)
    console.log('### Against the raw-SQL floor (same tables, same guarantees, hand-written statements)\n')
  for (const size of opened.seedSizes) {
    const start = performance.now()
    const stored = await opened.seedTokens(size, client.id)
    const seedSeconds = (performance.now() - start) / 1000
    if (opened.floor && FLOOR_SIZES.includes(size)) {
      compared.push({ stored: size, results: await compareWithFloor(opened, floorServer, floorClient, size) })
    }
    const inputs = await scenario.prepare(server, client, scenario.ops)
    const op = (input) => scenario.op(server, client, input)
    await concurrently(inputs.slice(0, GROWTH_WARM_UP), op)
    const runs = []
    for (let run = 0; run < GROWTH_RUNS; run++) runs.push(await concurrently(inputs, op))
    const median = [...runs].sort((a, b) => a.opsPerSecond - b.opsPerSecond)[Math.floor(runs.length / 2)]
    const trips = await roundTrips(scenario, server, client, opened.counter)
    const lookup = opened.explainLookup ? await opened.explainLookup() : null
    rows.push({
      size,
      stored,
      seedSeconds,
      ...median,
      runs: runs.map((run) => run.opsPerSecond),
      roundTrips: trips.mean,
      lookup,
    })
  }
  printFloorGrowth(compared)
  return rows
}
