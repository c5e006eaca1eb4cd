// The server under soak, in a process of its own (forked by main.mjs), so that what it measures
// (memory, event-loop delay) is the server's alone and not the load generator's. It talks to its
// parent over IPC:
//   → { type: 'ready', port, clients, users, t }   once it serves; t on the sampler's clock
//   → { type: 'sample', sample }                   every second
//   ← { type: 'memory', label }  → { type: 'memory', label, memory }   memory after a forced GC
//   ← { type: 'stop' }           → { type: 'stopped', background, eventLoopDelay }
import { describeError } from './error-log.mjs'
import { startProcessSampler } from './process-sampler.mjs'
import { startSoakService } from './soak-service.mjs'

/** @param {Record<string, unknown>} message */
const send = (message) => {
  if (process.connected) process.send?.(message)
}

/** @type {import('./soak-service.mjs').SoakServiceOptions} */
const options = JSON.parse(process.argv[2] ?? '{}')

/** @type {Awaited<ReturnType<typeof startSoakService>>} */
let service
/** @type {ReturnType<typeof startProcessSampler>} */
let sampler
try {
  sampler = startProcessSampler((sample) => send({ type: 'sample', sample }))
  service = await startSoakService(options)
} catch (error) {
  send({ type: 'failed', error: describeError(error) })
  process.exit(1)
}

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  const background = await service.stop()
  const eventLoopDelay = sampler.stop()
  send({ type: 'stopped', background, eventLoopDelay })
  process.disconnect()
}

process.on('message', (/** @type {{ type: string, label?: string }} */ message) => {
  if (message.type === 'memory') {
    sampler.memoryAfterGc().then((memory) => send({ type: 'memory', label: message.label, memory }))
  } else if (message.type === 'stop') {
    stop().catch((error) => {
      send({ type: 'failed', error: describeError(error) })
      process.exit(1)
    })
  }
})
// The parent is gone (Ctrl-C, a crash): stop anyway, so the pool closes and nothing lingers.
process.on('disconnect', () => {
  if (!stopping) stop().finally(() => process.exit(1))
})

send({
  type: 'ready',
  port: service.port,
  clients: service.clients,
  users: service.users,
  t: sampler.seconds(),
})
