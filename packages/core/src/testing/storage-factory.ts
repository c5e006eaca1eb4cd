import { afterEach, beforeEach } from 'vitest'
import type { Storage } from '../config/options.js'
import type { EventOutboxReader } from '../ports/event-outbox-reader.js'

/** What a {@link StorageFactory} gives the contract suites for one test. */
export interface StorageUnderTest {
  /** The storage whose repositories and unit of work the suites test. */
  readonly storage: Storage
  /** Called after the test, whether it passed or not: end the pool, drop the schema, and so on. */
  readonly close?: () => Promise<void>
  /**
   * The events committed to the outbox so far, oldest first (at least their `id` and `type`).
   * Required when `unitOfWork.run` hands out an `outbox`: the suites check that appended events
   * appear only once their unit of work commits. Ignored otherwise.
   */
  readonly readOutbox?: () => Promise<readonly { readonly id: string; readonly type: string }[]>
  /**
   * The reader a relay delivers this storage's outbox with, when it has one. When given, the
   * storage contract also runs the `EventOutboxReader` suite, appending events through
   * `unitOfWork.run` (whose units must then hand out an `outbox`).
   */
  readonly outboxReader?: EventOutboxReader
}

/**
 * Makes the storage for one test. The contract suites call it before each test and call
 * {@link StorageUnderTest.close} after it. Return a fresh, empty storage (a new schema, database or
 * in-memory instance), or at least an isolated one: the suites use fresh random ids in every test
 * and filter lists down to their own records, so a storage shared with other tests works as long as
 * nothing else writes those records.
 */
export type StorageFactory = () => Promise<StorageUnderTest>

/** Options of {@link storageContract} and {@link unitOfWorkContract}. */
export interface StorageContractOptions {
  /**
   * Set when the storage runs every query on one connection (PGlite, say), so a call through
   * `storage.repositories` waits while a unit of work is open. The isolation tests then start their
   * outside read while the unit is open but await it only after the unit ends (else they would wait
   * for themselves), and accept what the read sees then. Default `false`: an outside read must
   * answer at once, without the open unit's writes.
   */
  readonly singleConnection?: boolean
  /**
   * Whether the client repository has the optional `list` and `update` (client administration:
   * `listClients`, `updateClient`). Default `true`: their tests run; `false` leaves them out.
   */
  readonly clientAdministration?: boolean
}

/**
 * Registers, in the enclosing `describe`, a `beforeEach` that makes a storage with `factory` and
 * an `afterEach` that closes it; returns a getter for the current test's storage.
 */
export function useStorageUnderTest(factory: StorageFactory): () => StorageUnderTest {
  let current: StorageUnderTest | null = null
  beforeEach(async () => {
    current = await factory()
  })
  afterEach(async () => {
    const closing = current
    current = null
    await closing?.close?.()
  })
  return () => {
    if (current === null) throw new Error('The storage under test exists only while a test runs')
    return current
  }
}
