// What the SQL packages hand the shared behaviour suites (atomic issuance, lookups): migrated
// tables, storages on them whose every statement a `StatementFaults` hook sees, and a way to count
// the statements of one call. Counting goes through that hook, as the atomicity tests' does.
import type { AtomicIssuance, EventOutboxReader, Storage } from '@sp-oauth/core'
import type { SpOAuthDatabase } from '@sp-oauth/sql'
import type { Kysely } from 'kysely'
import type { StatementFaults } from './intercepting-dialect.js'

/** A SQL storage with its one-round-trip issuance (and, with an outbox, its reader). */
export interface IssuingStorage extends Storage {
  readonly atomicIssuance: AtomicIssuance
  readonly outboxReader?: EventOutboxReader
}

/** One set of migrated tables (a table prefix of their own), for one `describe`. */
export interface CountedTables {
  /** A storage on these tables; every one shares `faults`, which sees each of its statements. */
  storage(options: { readonly outbox: boolean }): IssuingStorage
  /**
   * The tables (prefix applied) for checking what was committed: on a connection of their own
   * where the database has more than one, so `faults` does not see these reads.
   */
  readonly tables: Kysely<SpOAuthDatabase>
  readonly faults: StatementFaults
  /** Their prefix: fresh for each `open`. */
  readonly tablePrefix: string
  /** Ends what `open` made; the tables go with the test schema or database. */
  close(): Promise<void>
}

/** A database the suites run on. */
export interface CountedBackend<T extends CountedTables = CountedTables> {
  /** For the `describe` title, e.g. `PostgreSQL (pg Pool)`. */
  readonly name: string
  /** Fresh tables, migrated. */
  open(): Promise<T>
}

/**
 * Runs `call` alone on a storage that `faults` sees, and returns its result with the statements
 * it sent (their texts only make a failed count readable; the suites compare counts).
 */
export async function statementsOf<T>(
  faults: StatementFaults,
  call: () => Promise<T>,
): Promise<{ readonly result: T; readonly statements: readonly string[] }> {
  faults.arm(null)
  try {
    const result = await call()
    return { result, statements: [...faults.statements] }
  } finally {
    faults.disarm()
  }
}
