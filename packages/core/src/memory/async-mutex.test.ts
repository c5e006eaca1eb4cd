import { describe, expect, it } from 'vitest'
import { AsyncMutex } from './async-mutex.js'

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

describe('AsyncMutex', () => {
  it('run: tasks run one at a time, in the order they asked', async () => {
    const mutex = new AsyncMutex()
    const log: string[] = []
    const gates = [deferred(), deferred(), deferred()]
    const runs = gates.map((gate, i) =>
      mutex.run(async () => {
        log.push(`start ${i}`)
        await gate.promise
        log.push(`end ${i}`)
        return i
      }),
    )
    // Release in reverse: order must still follow the queue, never overlap.
    for (const gate of [...gates].reverse()) gate.resolve()
    expect(await Promise.all(runs)).toEqual([0, 1, 2])
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2'])
  })

  it('run: a rejected task rejects its caller and does not block the next task', async () => {
    const mutex = new AsyncMutex()
    const failure = new Error('task failed')
    const failed = mutex.run(async () => {
      throw failure
    })
    const next = mutex.run(async () => 'next ran')
    await expect(failed).rejects.toBe(failure)
    expect(await next).toBe('next ran')
  })
})
