import type { Clock } from '../ports/clock.js'

/** A clock tests move by hand: time stands still unless told. */
export interface FakeClock extends Clock {
  /** Jumps to `date` (backwards too). */
  set(date: Date): void
  advanceSeconds(seconds: number): void
  advanceMinutes(minutes: number): void
  advanceDays(days: number): void
}

/**
 * A {@link FakeClock} starting at `start` (default 2026-01-01T00:00:00.000Z). Each `now()` returns a
 * new `Date`, so a caller changing one cannot move the clock.
 */
export function createFakeClock(start: Date = new Date('2026-01-01T00:00:00.000Z')): FakeClock {
  let current = start.getTime()
  return {
    now: () => new Date(current),
    set: (date) => {
      current = date.getTime()
    },
    advanceSeconds: (seconds) => {
      current += seconds * 1000
    },
    advanceMinutes: (minutes) => {
      current += minutes * 60_000
    },
    advanceDays: (days) => {
      current += days * 86_400_000
    },
  }
}
