// sp-oauth against the backend's raw-SQL floor (the package's bench/raw-floor.mjs: hand-written
// statements with the same guarantees) on the same tables, the same client, at the table size the
// storage bench has seeded.
import {
  authorize,
  CALLERS,
  CODE_CHALLENGE,
  CODE_VERIFIER,
  clientCredentialsRequest,
  concurrently,
  exchangeRequest,
  fmt,
  OPS,
  perSecond,
  produce,
  QUICK,
  REDIRECT_URI,
  ROUND_TRIP_SAMPLES,
  refreshRequest,
  row,
  sizeLabel,
} from './bench-operations.mjs'

/** Each round times four batches, sp-oauth, floor, floor, sp-oauth, so drift weighs on both alike. */
const ROUNDS = QUICK ? 1 : 3
/** Bearer checks per batch: at 15 000-25 000 a second, the scenario's 4 000 last a fifth of a second. */
const BEARER_OPS = QUICK ? OPS.bearer : 20_000

/** The four hot paths, as sp-oauth (`ours`) and as the floor does them. */
function operations(server, client, floor) {
  const issue = (request) => server.issueTokenFromRequest(request)
  const tokens = (n, make) => async (count) => {
    const made = await produce(n, make)
    return Array.from({ length: count }, (_, index) => made[index % made.length])
  }
  return [
    {
      name: 'client_credentials',
      ops: OPS.exchange,
      ours: {
        prepare: async (n) => Array.from({ length: n }),
        op: () => issue(clientCredentialsRequest(client)),
      },
      floor: { prepare: async (n) => Array.from({ length: n }), op: () => floor.clientCredentials(client) },
    },
    {
      name: 'bearer check, opaque',
      ops: BEARER_OPS,
      ours: {
        prepare: tokens(
          100,
          async () => `Bearer ${(await issue(clientCredentialsRequest(client))).access_token}`,
        ),
        op: (authorization) => server.authenticateBearer({ authorization }),
      },
      floor: {
        prepare: tokens(100, () => floor.clientCredentials(client)),
        op: (token) => floor.bearer(token),
      },
    },
    {
      name: 'code exchange',
      ops: OPS.exchange,
      ours: {
        prepare: (n) => produce(n, () => authorize(server, client)),
        op: (code) => issue(exchangeRequest(client, code)),
      },
      floor: {
        prepare: (n) => produce(n, () => floor.approve(client, REDIRECT_URI, CODE_CHALLENGE)),
        op: (code) => floor.exchange(client, code, REDIRECT_URI, CODE_VERIFIER),
      },
    },
    {
      name: 'refresh',
      ops: OPS.refresh,
      ours: {
        prepare: (n) =>
          produce(
            n,
            async () => (await issue(exchangeRequest(client, await authorize(server, client)))).refresh_token,
          ),
        op: (token) => issue(refreshRequest(client, token)),
      },
      floor: {
        prepare: (n) =>
          produce(n, async () => {
            const code = await floor.approve(client, REDIRECT_URI, CODE_CHALLENGE)
            return (await floor.exchange(client, code, REDIRECT_URI, CODE_VERIFIER)).refresh
          }),
        op: (token) => floor.refresh(client, token),
      },
    },
  ]
}

/** One timed batch of `side` (inputs made untimed first). */
async function batch(side, ops, databaseCpu) {
  const inputs = await side.prepare(ops)
  return concurrently(inputs, side.op, databaseCpu)
}

/** Statements one operation of `side` sends, run alone, counted by `counter`. */
async function statementsOf(side, counter) {
  const inputs = await side.prepare(ROUND_TRIP_SAMPLES)
  const before = counter.count
  for (const input of inputs) await side.op(input)
  return (counter.count - before) / ROUND_TRIP_SAMPLES
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** The median of each figure over a side's batches. */
function medianOf(results) {
  const of = (key) => median(results.map((result) => result[key]))
  return {
    opsPerSecond: of('opsPerSecond'),
    cpuMicros: of('cpuMicros'),
    processMicros: of('processMicros'),
    databaseMicros: of('databaseMicros'),
  }
}

/** CPU µs per operation, and how it splits between this process and the database server. */
function cpuSplit(result) {
  return `${perSecond(result.cpuMicros)} (${perSecond(result.processMicros)} + ${perSecond(result.databaseMicros)})`
}

/**
 * Times every operation through sp-oauth (`server`, `client`, statements counted by
 * `opened.counter`) and through `opened.floor`, alternating, with `stored` tokens in each token
 * table; prints the table and returns each operation's medians, by name.
 */
export async function compareWithFloor(opened, server, client, stored) {
  const results = new Map()
  console.log(`#### ${sizeLabel(stored)} stored access and refresh tokens\n`)
  row([
    'operation',
    'floor ops/s',
    'sp-oauth ops/s',
    'sp-oauth × floor',
    'floor CPU µs/op (node + db)',
    'sp-oauth CPU µs/op (node + db)',
    'floor statements',
    'sp-oauth statements',
  ])
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'])
  for (const operation of operations(server, client, opened.floor)) {
    const { ours, floor } = operation
    // Warm-up: JIT, connections, the pages both touch.
    for (const side of [ours, floor]) await batch(side, Math.max(CALLERS * 4, operation.ops / 10))
    const timed = { ours: [], floor: [] }
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['ours', 'floor', 'floor', 'ours']) {
        timed[name].push(await batch(operation[name], operation.ops, opened.databaseCpu))
      }
    }
    const result = {
      ours: medianOf(timed.ours),
      floor: medianOf(timed.floor),
      oursStatements: await statementsOf(ours, opened.counter),
      floorStatements: await statementsOf(floor, opened.floor.counter),
    }
    results.set(operation.name, result)
    row([
      operation.name,
      perSecond(result.floor.opsPerSecond),
      perSecond(result.ours.opsPerSecond),
      `${fmt(result.ours.opsPerSecond / result.floor.opsPerSecond)}×`,
      cpuSplit(result.floor),
      cpuSplit(result.ours),
      fmt(result.floorStatements, 1),
      fmt(result.oursStatements, 1),
    ])
  }
  console.log('')
  return results
}

/**
 * What each side loses from the smallest to the largest size compared: the issue's rule is bearer
 * within 10 % and every write within the floor's own loss plus 10 points.
 */
export function printFloorGrowth(bySize) {
  if (bySize.length < 2) return
  const [small, large] = [bySize[0], bySize.at(-1)]
  console.log(`#### From ${sizeLabel(small.stored)} to ${sizeLabel(large.stored)} stored tokens\n`)
  row(['operation', 'floor ops/s change', 'sp-oauth ops/s change', 'sp-oauth × floor at each size'])
  row(['---', '---:', '---:', '---'])
  for (const [name, before] of small.results) {
    const after = large.results.get(name)
    const change = (side) => `${fmt((after[side].opsPerSecond / before[side].opsPerSecond - 1) * 100, 0)} %`
    const ratio = (result) => fmt(result.ours.opsPerSecond / result.floor.opsPerSecond)
    row([name, change('floor'), change('ours'), `${ratio(before)}× → ${ratio(after)}×`])
  }
  console.log('')
}
