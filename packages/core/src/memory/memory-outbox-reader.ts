import type { EventOutboxReader, OutboxEntry } from '../ports/event-outbox-reader.js'
import { copyData } from './memory-repositories.js'
import type { MemoryOutboxRow } from './memory-tables.js'

/**
 * The outbox reader of the memory storage. A batch claims its rows synchronously (as one
 * `SELECT … FOR UPDATE SKIP LOCKED` would), keeps them claimed while `deliver` runs, then marks or
 * releases them. It does not take the storage's lock: units of work go on while a batch delivers.
 */
export function createMemoryOutboxReader(rows: MemoryOutboxRow[]): EventOutboxReader {
  return {
    relayBatch: async (limit, now, deliver) => {
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new RangeError(`limit must be a positive integer, got ${String(limit)}`)
      }
      const batch = {}
      const claimed = claim(rows, limit, batch)
      if (claimed.length === 0) return 0
      try {
        const entries: OutboxEntry[] = claimed.map((row) => ({
          sequence: row.sequence,
          aggregateId: row.aggregateId,
          event: copyData(row.event),
        }))
        // Called from a promise callback, so a `deliver` that throws at once is a rejection too.
        await Promise.resolve().then(() => deliver(entries))
      } catch (error) {
        for (const row of claimed) row.claimedBy = null
        throw error
      }
      const deliveredAt = new Date(now.getTime())
      for (const row of claimed) {
        row.deliveredAt = deliveredAt
        row.claimedBy = null
      }
      return claimed.length
    },
  }
}

/**
 * Claims for `batch` the first `limit` undelivered rows no other batch holds, minus those behind an
 * undelivered row of their aggregate that `batch` did not claim.
 */
function claim(rows: readonly MemoryOutboxRow[], limit: number, batch: object): MemoryOutboxRow[] {
  const candidates = new Set<MemoryOutboxRow>()
  for (const row of rows) {
    if (candidates.size === limit) break
    if (row.deliveredAt === null && row.claimedBy === null) candidates.add(row)
  }
  if (candidates.size === 0) return []
  // Walk the undelivered rows in sequence order: once a row held by another batch is seen, its
  // aggregate is blocked, and later rows of that aggregate must wait for it.
  const blocked = new Set<string>()
  const claimed: MemoryOutboxRow[] = []
  for (const row of rows) {
    if (row.deliveredAt !== null) continue
    if (!candidates.has(row)) {
      blocked.add(row.aggregateId)
      continue
    }
    candidates.delete(row)
    if (!blocked.has(row.aggregateId)) claimed.push(row)
    if (candidates.size === 0) break
  }
  for (const row of claimed) row.claimedBy = batch
  return claimed
}
