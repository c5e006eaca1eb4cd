// The parent's handle on the server process (service/server-process.mjs): forks it with
// --expose-gc, collects its per-second samples, and turns its IPC answers into promises that
// reject if it dies, so the soak never waits on a process that is gone.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * @typedef {object} ServiceReady
 * @property {number} port
 * @property {import('./service/soak-service.mjs').SoakClients} clients
 * @property {Record<string, string>} users user name → password, one per virtual user
 */

/**
 * @typedef {import('./service/process-sampler.mjs').MemoryAfterGc} MemoryAfterGc
 * @typedef {import('./service/process-sampler.mjs').EventLoopDelay} EventLoopDelay
 * @typedef {{ background: import('./service/soak-service.mjs').BackgroundReport, eventLoopDelay: EventLoopDelay }} ServiceStopped
 * @typedef {(
 *   | ({ type: 'ready', t: number } & ServiceReady)
 *   | { type: 'sample', sample: import('./service/process-sampler.mjs').ProcessSample }
 *   | { type: 'memory', label: string, memory: MemoryAfterGc }
 *   | ({ type: 'stopped' } & ServiceStopped)
 *   | { type: 'failed', error: string }
 * )} ServerMessage what service/server-process.mjs sends
 */

/**
 * @param {import('./service/soak-service.mjs').SoakServiceOptions} options
 */
export async function startServiceProcess(options) {
  const entry = fileURLToPath(new URL('./service/server-process.mjs', import.meta.url))
  const execArgv = process.execArgv.includes('--expose-gc')
    ? process.execArgv
    : [...process.execArgv, '--expose-gc']
  const child = fork(entry, [JSON.stringify(options)], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })

  /** @type {import('./service/process-sampler.mjs').ProcessSample[]} */
  const samples = []
  /** @type {Map<string, { resolve: (value: unknown) => void, reject: (error: Error) => void }>} */
  const pending = new Map()
  /** @type {string | null} why the process ended before it was asked to stop, if it did */
  let died = null
  let stopping = false

  /** Waits for the message `key` (`ready`, `stopped`, `memory:<label>`). */
  const waitFor = (/** @type {string} */ key) =>
    /** @type {Promise<unknown>} */ (
      new Promise((resolve, reject) => {
        if (died !== null) reject(new Error(died))
        else pending.set(key, { resolve, reject })
      })
    )
  const settle = (/** @type {string} */ key, /** @type {unknown} */ value) => {
    pending.get(key)?.resolve(value)
    pending.delete(key)
  }

  // The process's clock starts before its set-up; every `t` is moved to start when it was ready,
  // which is when the load starts.
  let readyAt = 0
  child.on('message', (/** @type {ServerMessage} */ message) => {
    if (message.type === 'sample') samples.push({ ...message.sample, t: message.sample.t - readyAt })
    else if (message.type === 'ready') {
      readyAt = message.t
      settle('ready', message)
    } else if (message.type === 'memory') {
      settle(`memory:${message.label}`, { ...message.memory, t: message.memory.t - readyAt })
    } else if (message.type === 'stopped') settle('stopped', message)
    else if (message.type === 'failed') died = `the server process failed: ${message.error}`
  })
  /** @type {(error: Error) => void} */
  let reportDeath = () => {}
  /** Rejects when the process ends before it was asked to stop; never resolves. */
  const death = new Promise((_, reject) => {
    reportDeath = reject
  })
  death.catch(() => {})
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      if (!stopping || code !== 0) died ??= `the server process exited (${signal ?? `code ${code}`})`
      for (const { reject } of pending.values()) reject(new Error(died ?? 'the server process exited'))
      pending.clear()
      if (died !== null) reportDeath(new Error(died))
      resolve(undefined)
    })
  })

  const ready = /** @type {ServiceReady} */ (await waitFor('ready'))
  return {
    ready,
    samples,
    death,
    /** Why the server process ended on its own, or null while it runs (or after a clean stop). */
    get died() {
      return died
    },
    /**
     * Memory after a forced full GC in the server process.
     * @param {string} label
     * @returns {Promise<MemoryAfterGc>}
     */
    async memoryAfterGc(label) {
      const answer = waitFor(`memory:${label}`)
      child.send({ type: 'memory', label })
      return /** @type {MemoryAfterGc} */ (await answer)
    },
    /**
     * Stops the server (the relay drains, pruning runs a last time) and waits for the process to end.
     * @returns {Promise<ServiceStopped>}
     */
    async stop() {
      stopping = true
      const stopped = waitFor('stopped')
      child.send({ type: 'stop' })
      const result = /** @type {ServiceStopped} */ (await stopped)
      await exited
      return result
    },
    /** Ends the process at once: the soak itself failed. */
    kill() {
      stopping = true
      child.kill()
    },
  }
}
