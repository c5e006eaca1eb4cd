import { describe, expect, it } from 'vitest'
import { retryWhileSchemasVanish, settingUpRaceLost } from './migrate-to-latest.js'

const vanished = (code: string) => Object.assign(new Error('gone'), { code })

describe('settingUpRaceLost', () => {
  it.each(['3F000', '42P01'])('retries a set-up that failed with %s while no migration ran', (code) => {
    expect(settingUpRaceLost({ error: vanished(code) }, 1)).toBe(true)
    expect(settingUpRaceLost({ error: vanished(code) }, 2)).toBe(true)
  })

  it('gives up after three attempts in all', () => {
    expect(settingUpRaceLost({ error: vanished('3F000') }, 3)).toBe(false)
  })

  it('never retries once migrations ran, nor other errors', () => {
    expect(settingUpRaceLost({ error: vanished('3F000'), results: [] }, 1)).toBe(false)
    expect(settingUpRaceLost({ error: vanished('42501') }, 1)).toBe(false)
    expect(settingUpRaceLost({ error: new Error('no code') }, 1)).toBe(false)
    expect(settingUpRaceLost({ error: null }, 1)).toBe(false)
  })
})

describe('retryWhileSchemasVanish', () => {
  it('reads again when a schema vanished under the listing, up to three times in all', async () => {
    let calls = 0
    const read = async () => {
      calls++
      if (calls < 3) throw vanished(calls === 1 ? '3F000' : '42P01')
      return ['0011_client_administration']
    }
    expect(await retryWhileSchemasVanish(read)).toEqual(['0011_client_administration'])
    expect(calls).toBe(3)
  })

  it('gives up after the third attempt, and never retries another error', async () => {
    let calls = 0
    await expect(
      retryWhileSchemasVanish(async () => {
        calls++
        throw vanished('3F000')
      }),
    ).rejects.toMatchObject({ code: '3F000' })
    expect(calls).toBe(3)
    calls = 0
    await expect(
      retryWhileSchemasVanish(async () => {
        calls++
        throw vanished('42501')
      }),
    ).rejects.toMatchObject({ code: '42501' })
    expect(calls).toBe(1)
  })
})
