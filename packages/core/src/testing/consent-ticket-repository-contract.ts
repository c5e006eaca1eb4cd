import { describe, expect, it } from 'vitest'
import { forEachAccessMode, forEachConcurrentMode, inParallel, minutesLater } from './contract-support.js'
import { randomHash } from './record-builders.js'
import { type StorageFactory, useStorageUnderTest } from './storage-factory.js'

/** A fresh ticket nonce hash, expiring 10 minutes after the builders' base instant. */
function newTicket(): { readonly nonceHash: string; readonly expiresAt: Date } {
  return { nonceHash: randomHash(), expiresAt: minutesLater(10) }
}

/**
 * The contract of `ConsentTicketRepository`: `consume` returns `true` once per nonce, then
 * `false`; nonces are compared exactly; 50 concurrent consumes of one nonce give exactly one
 * `true`; a consume whose unit of work rolls back is undone, and one still open makes a concurrent
 * caller wait for its outcome.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 */
export function consentTicketRepositoryContract(factory: StorageFactory): void {
  describe('ConsentTicketRepository', () => {
    const subject = useStorageUnderTest(factory)

    forEachAccessMode(subject, (test) => {
      test('consume: true the first time, false every time after', async (use) => {
        const ticket = newTicket()
        expect(await use((r) => r.consentTickets.consume(ticket, minutesLater(1)))).toBe(true)
        expect(await use((r) => r.consentTickets.consume(ticket, minutesLater(2)))).toBe(false)
        expect(await use((r) => r.consentTickets.consume(ticket, minutesLater(3)))).toBe(false)
      })

      test('consume: nonce hashes are exact (letter case makes another nonce); other nonces are unaffected', async (use) => {
        const ticket = newTicket()
        const upper = { ...ticket, nonceHash: ticket.nonceHash.toUpperCase() }
        const lower = { ...ticket, nonceHash: ticket.nonceHash.toLowerCase() }
        expect(await use((r) => r.consentTickets.consume(ticket, minutesLater(1)))).toBe(true)
        if (upper.nonceHash !== ticket.nonceHash) {
          expect(await use((r) => r.consentTickets.consume(upper, minutesLater(1)))).toBe(true)
        }
        if (lower.nonceHash !== ticket.nonceHash && lower.nonceHash !== upper.nonceHash) {
          expect(await use((r) => r.consentTickets.consume(lower, minutesLater(1)))).toBe(true)
        }
        expect(await use((r) => r.consentTickets.consume(newTicket(), minutesLater(1)))).toBe(true)
        expect(await use((r) => r.consentTickets.consume(ticket, minutesLater(1)))).toBe(false)
      })
    })

    forEachConcurrentMode(subject, (test) => {
      test('consume: 50 concurrent consumes of one nonce give exactly one true', async (use) => {
        const ticket = newTicket()
        const results = await inParallel(50, () =>
          use((r) => r.consentTickets.consume(ticket, minutesLater(1))),
        )
        expect(results.filter(Boolean)).toHaveLength(1)
        expect(await use((r) => r.consentTickets.consume(ticket, minutesLater(2)))).toBe(false)
      })
    })

    describe('within a unit of work', () => {
      it('a consume whose unit of work rolls back is undone: the nonce can be consumed again', async () => {
        const { storage } = subject()
        const ticket = newTicket()
        const rolledBack = new Error('roll back')
        await expect(
          storage.unitOfWork.run(async (r) => {
            expect(await r.consentTickets.consume(ticket, minutesLater(1))).toBe(true)
            throw rolledBack
          }),
        ).rejects.toBe(rolledBack)
        expect(await storage.repositories.consentTickets.consume(ticket, minutesLater(2))).toBe(true)
        expect(await storage.repositories.consentTickets.consume(ticket, minutesLater(3))).toBe(false)
      })

      it('units of work consuming one nonce at once: exactly one commits it, every other sees false', async () => {
        const { storage } = subject()
        const ticket = newTicket()
        const results = await inParallel(10, () =>
          storage.unitOfWork.run(async (r) => r.consentTickets.consume(ticket, minutesLater(1))),
        )
        expect(results.filter(Boolean)).toHaveLength(1)
      })
    })
  })
}
