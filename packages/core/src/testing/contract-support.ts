// Internal helpers the contract suites share: how a test reaches the repositories, concurrency,
// values that trip storages up. Not exported from `@sp-oauth/core/testing`.
import { describe, expect, it } from 'vitest'
import type { Storage } from '../config/options.js'
import type { ClientRecord } from '../domain/client.js'
import type { ClientWithCredential } from '../ports/client-with-credential.js'
import type { Repositories } from '../ports/unit-of-work.js'
import { buildClientRecord, instantAfter, randomHash, randomUuid } from './record-builders.js'
import type { StorageUnderTest } from './storage-factory.js'

/** Runs one call against the repositories the current access mode hands out. */
export type Use = <T>(call: (repositories: Repositories) => Promise<T>) => Promise<T>

/** One way a test reaches the repositories. */
export interface AccessMode {
  readonly label: string
  /**
   * Whether the test may go on after a call rejected. Not inside one transaction: PostgreSQL
   * aborts a transaction at its first failed statement.
   */
  readonly survivesErrors: boolean
  run(storage: Storage, body: (use: Use) => Promise<void>): Promise<void>
}

const throughRepositories: AccessMode = {
  label: 'through storage.repositories',
  survivesErrors: true,
  run: (storage, body) => body((call) => call(storage.repositories)),
}

const throughUnitPerCall: AccessMode = {
  label: 'through a unit of work per call',
  survivesErrors: true,
  run: (storage, body) => body((call) => storage.unitOfWork.run(call)),
}

const insideOneUnit: AccessMode = {
  label: 'inside one unit of work (reads see its own writes)',
  survivesErrors: false,
  run: (storage, body) => storage.unitOfWork.run((repositories) => body((call) => call(repositories))),
}

/** Every access mode: plain repositories, a unit of work per call, one unit of work for the test. */
const ACCESS_MODES: readonly AccessMode[] = [throughRepositories, throughUnitPerCall, insideOneUnit]

/** The modes in which concurrent calls are concurrent transactions. */
const CONCURRENT_MODES: readonly AccessMode[] = [
  { ...throughRepositories, label: 'callers through storage.repositories, all at once' },
  { ...throughUnitPerCall, label: 'callers each in their own unit of work, all at once' },
]

/** A test body, run in one access mode. */
export type ContractTest = (name: string, body: (use: Use) => Promise<void>) => void

/**
 * Defines the same tests once per access mode, each in its own `describe`. `define` receives a
 * `test` function and the mode (to leave out tests that need `survivesErrors`).
 */
export function forEachAccessMode(
  subject: () => StorageUnderTest,
  define: (test: ContractTest, mode: AccessMode) => void,
): void {
  defineModes(ACCESS_MODES, subject, define)
}

/** Like {@link forEachAccessMode}, for the concurrency cases: plain `Promise.all`, and a unit per caller. */
export function forEachConcurrentMode(
  subject: () => StorageUnderTest,
  define: (test: ContractTest, mode: AccessMode) => void,
): void {
  describe('concurrency', () => defineModes(CONCURRENT_MODES, subject, define))
}

function defineModes(
  modes: readonly AccessMode[],
  subject: () => StorageUnderTest,
  define: (test: ContractTest, mode: AccessMode) => void,
): void {
  for (const mode of modes) {
    describe(mode.label, () => {
      define((name, body) => it(name, () => mode.run(subject().storage, body)), mode)
    })
  }
}

/** Starts `count` calls at once and waits for all of them. */
export function inParallel<T>(count: number, call: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => call(index)))
}

/** The results that are not `null`. */
export function nonNull<T>(results: readonly (T | null)[]): T[] {
  return results.filter((result): result is T => result !== null)
}

/** A fixed instant `minutes` after the builders' base instant. */
export function minutesLater(minutes: number): Date {
  return instantAfter(minutes * 60_000)
}

/** A promise the test settles by hand, to hold a unit of work open. */
export interface Gate {
  readonly opened: Promise<void>
  open(): void
}

/** A closed {@link Gate}. */
export function createGate(): Gate {
  let open: () => void = () => undefined
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

/** A string of `length` UTF-16 code units: quotes, backslashes, accents, CJK and emoji, then padding. */
export function awkwardText(length: number): string {
  const filler = ['a', 'é', '漢', '0']
  let text = `Ünïcödé 🦊 "double" 'single' \`back\` \\back\\slash\\ %_ ; -- ${randomUuid()} `
  while (text.length < length) text += filler[text.length % filler.length]
  return text.slice(0, length)
}

/** A user id of the kind applications use in the wild: quotes, backslashes, emoji, accents. */
export function awkwardUserId(): string {
  return `user "O'Brien" \\ domain\\name 🦊 José ${randomUuid()}`
}

/** Nested JSON claims with every JSON type, unicode keys and a 1000-character string. */
export function awkwardClaims(): Readonly<Record<string, unknown>> {
  return {
    sub: awkwardUserId(),
    name: 'Zoë "Zed" O\'Brien \\ 🦊',
    amr: ['pwd', 'otp', 'pwd'],
    number: 42,
    fraction: 1.5,
    negative: -7,
    flag: true,
    off: false,
    nothing: null,
    empty: {},
    emptyList: [],
    ключ: 'значение',
    nested: { level: { deeper: [1, 'two', { three: [3] }, null] } },
    long: awkwardText(1000),
  }
}

/** `text` with the case of every letter swapped. */
export function swapCase(text: string): string {
  return [...text]
    .map((char) => (char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase()))
    .join('')
}

/**
 * Changes everything reachable from `value` that the runtime lets change: sets every `Date` to the
 * epoch, pushes onto arrays, overwrites and adds properties. Frozen parts throw, which is fine.
 * For testing that a storage keeps no reference to the caller's objects, nor hands out its own.
 */
export function scribble(value: unknown): void {
  if (value instanceof Date) {
    value.setTime(0)
    return
  }
  if (Array.isArray(value)) {
    for (const item of value) scribble(item)
    attempt(() => value.push('scribbled'))
    return
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      scribble(record[key])
      attempt(() => {
        record[key] = 'scribbled'
      })
    }
    attempt(() => {
      record.scribbled = true
    })
  }
}

function attempt(change: () => void): void {
  try {
    change()
  } catch {
    // A frozen object refuses the change: exactly what a careful storage may do.
  }
}

/** Stores a fresh client and returns it, so records that name it satisfy a foreign key. */
export async function storeClient(use: Use, overrides: Partial<ClientRecord> = {}): Promise<ClientRecord> {
  const client = buildClientRecord(overrides)
  await use((r) => r.clients.insert(client))
  return client
}

/** A date near the end of what a storage must hold: `DATETIME(3)`, not a 2038-bound `TIMESTAMP`. */
export function farFuture(): Date {
  return new Date('2099-12-31T23:59:59.999Z')
}

/**
 * The rules of an optional `findByHashWithClient` for a stored credential (`stored`, with hash
 * `hash`, of client `stored.clientId`): it gives the client as `clients.findById` does, in any
 * state (revoked too), and the credential as `findByHash` does when it was issued to that client;
 * `record: null` for another client, an unknown hash or the hash in other letter case; `null` for
 * an unknown client. `readWith` calls the method, or gives `undefined` when the storage has none
 * (then there is nothing to check).
 */
export async function expectReadWithClient<T extends { readonly clientId: string }>(
  use: Use,
  stored: { readonly hash: string; readonly record: T },
  readWith: (
    repositories: Repositories,
    hash: string,
    clientId: string,
  ) => Promise<ClientWithCredential<T> | null> | undefined,
  findByHash: (repositories: Repositories, hash: string) => Promise<T | null>,
): Promise<void> {
  const read = (hash: string, clientId: string): Promise<ClientWithCredential<T> | null | undefined> =>
    use(async (r) => readWith(r, hash, clientId))
  const { hash, record } = stored
  const other = await storeClient(use)
  const first = await read(hash, record.clientId)
  if (first === undefined) {
    expect(first).toBeUndefined()
    return
  }
  const clientOf = async (clientId: string): Promise<ClientRecord | null> =>
    use((r) => r.clients.findById(clientId))
  const expected = async (): Promise<ClientWithCredential<T | null>> => ({
    client: (await clientOf(record.clientId))!,
    record: await use((r) => findByHash(r, hash)),
  })
  expect(first).toEqual(await expected())
  expect(first?.record).not.toBeNull()
  const owner = await clientOf(record.clientId)
  expect(await read(hash, other.id)).toEqual({ client: other, record: null })
  expect(await read(randomHash(), record.clientId)).toEqual({ client: owner, record: null })
  expect(await read(swapCase(hash), record.clientId)).toEqual({ client: owner, record: null })
  expect(await read(hash, randomUuid())).toBeNull()
  await use((r) => r.clients.revoke(record.clientId, instantAfter(5)))
  const revoked = await read(hash, record.clientId)
  expect(revoked?.client.revokedAt).toEqual(instantAfter(5))
  expect(revoked).toEqual(await expected())
}
