import { describe, expect, it } from 'vitest'
import { DEFAULT_RETRY_POLICY, retryDelayMs, retrying } from './retry-policy.js'
import { SerializationFailure, testDialect } from './test-support/test-dialect.js'

describe('retryDelayMs', () => {
  it('waits at random below a bound that doubles with each retry, up to maxDelayMs', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 50 }
    for (let i = 0; i < 200; i++) {
      expect(retryDelayMs(policy, 1)).toBeLessThan(10)
      expect(retryDelayMs(policy, 2)).toBeLessThan(20)
      expect(retryDelayMs(policy, 9)).toBeLessThan(50)
      expect(retryDelayMs(policy, 9)).toBeGreaterThanOrEqual(0)
    }
  })

  it('the default policy is bounded: at most 10 runs', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(10)
  })
})

describe('retrying', () => {
  const policy = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 }

  it('repeats the call after a retryable failure until it succeeds', async () => {
    let calls = 0
    const value = await retrying(testDialect, policy, async () => {
      calls++
      if (calls < 3) throw new SerializationFailure('deadlock')
      return 'done'
    })
    expect(value).toBe('done')
    expect(calls).toBe(3)
  })

  it('rejects with the last retryable failure after maxAttempts calls', async () => {
    let calls = 0
    await expect(
      retrying(testDialect, policy, async () => {
        calls++
        throw new SerializationFailure(`deadlock ${calls}`)
      }),
    ).rejects.toThrow('deadlock 3')
    expect(calls).toBe(3)
  })

  it('rejects at once with any other error', async () => {
    let calls = 0
    const failure = new Error('duplicate key')
    await expect(
      retrying(testDialect, policy, async () => {
        calls++
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(calls).toBe(1)
  })
})
