import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from './create-memory-storage.js'

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute))
const hash = (n: number) => `${String(n).padStart(2, '0')}${'a'.repeat(41)}`

describe('memory storage: consent tickets', () => {
  it('forgets the records of expired tickets as new ones are answered, and only those', async () => {
    const { consentTickets } = createMemoryStorage().repositories
    expect(await consentTickets.consume({ nonceHash: hash(1), expiresAt: at(10) }, at(1))).toBe(true)
    expect(await consentTickets.consume({ nonceHash: hash(2), expiresAt: at(30) }, at(2))).toBe(true)
    expect(await consentTickets.consume({ nonceHash: hash(1), expiresAt: at(10) }, at(3))).toBe(false)
    // Answered after the first ticket expired: its record goes, the second's stays.
    expect(await consentTickets.consume({ nonceHash: hash(3), expiresAt: at(40) }, at(11))).toBe(true)
    expect(await consentTickets.consume({ nonceHash: hash(1), expiresAt: at(10) }, at(12))).toBe(true)
    expect(await consentTickets.consume({ nonceHash: hash(2), expiresAt: at(30) }, at(12))).toBe(false)
  })
})
