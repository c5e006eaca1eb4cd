import { describe, expect, it } from 'vitest'
import { settingUpRaceLost } from './migrate-to-latest.js'

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
