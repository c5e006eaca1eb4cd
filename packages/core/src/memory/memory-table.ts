/** Reads and writes of one table, committed or staged in a transaction. */
export interface TableView<V> {
  get(key: string): V | null
  /** The row whose unique `index` value is `value`. */
  findUnique(index: string, value: string): V | null
  /** Every row matching `predicate`. */
  filter(predicate: (row: V) => boolean): V[]
  insert(row: V): void
  put(row: V): void
  delete(key: string): boolean
}

interface TableShape<V> {
  readonly key: (row: V) => string
  /** Unique secondary indexes; a `null` value is not indexed. */
  readonly unique: Readonly<Record<string, (row: V) => string | null>>
}

/** Thrown when an insert would duplicate a key, as a unique constraint would. */
export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError'
}

/** One table of committed rows, with unique indexes kept in step. */
export class MemoryTable<V> implements TableView<V> {
  private readonly rows = new Map<string, V>()
  private readonly indexes = new Map<string, Map<string, string>>()
  /** Each unique index with its key function and map, listed once: writes walk it on every row. */
  readonly uniqueIndexes: readonly {
    readonly name: string
    readonly keyOf: (row: V) => string | null
    readonly map: Map<string, string>
  }[]

  readonly shape: TableShape<V>

  constructor(shape: TableShape<V>) {
    this.shape = shape
    this.uniqueIndexes = Object.entries(shape.unique).map(([name, keyOf]) => {
      const map = new Map<string, string>()
      this.indexes.set(name, map)
      return { name, keyOf, map }
    })
  }

  get(key: string): V | null {
    return this.rows.get(key) ?? null
  }

  findUnique(index: string, value: string): V | null {
    const key = this.indexes.get(index)?.get(value)
    return key === undefined ? null : this.get(key)
  }

  filter(predicate: (row: V) => boolean): V[] {
    return [...this.rows.values()].filter(predicate)
  }

  insert(row: V): void {
    const key = this.shape.key(row)
    if (this.rows.has(key)) throw new DuplicateKeyError(`Duplicate key ${key}`)
    for (const { name, keyOf, map } of this.uniqueIndexes) {
      const value = keyOf(row)
      if (value !== null && map.has(value)) throw new DuplicateKeyError(`Duplicate ${name}`)
    }
    this.put(row)
  }

  put(row: V): void {
    const key = this.shape.key(row)
    this.delete(key)
    this.rows.set(key, row)
    for (const { keyOf, map } of this.uniqueIndexes) {
      const value = keyOf(row)
      if (value !== null) map.set(value, key)
    }
  }

  delete(key: string): boolean {
    const existing = this.rows.get(key)
    if (existing === undefined) return false
    this.rows.delete(key)
    for (const { keyOf, map } of this.uniqueIndexes) {
      const value = keyOf(existing)
      if (value !== null) map.delete(value)
    }
    return true
  }

  /** A view that stages writes until {@link StagedTable.commit}; reads see staged rows first. */
  stage(): StagedTable<V> {
    return new StagedTable(this)
  }
}

/** Writes of one transaction over a committed table; invisible to others until committed. */
export class StagedTable<V> implements TableView<V> {
  /** Staged rows by key; `null` marks a deletion. */
  private readonly staged = new Map<string, V | null>()

  private readonly base: MemoryTable<V>

  constructor(base: MemoryTable<V>) {
    this.base = base
  }

  get(key: string): V | null {
    const staged = this.staged.get(key)
    return staged === undefined ? this.base.get(key) : staged
  }

  findUnique(index: string, value: string): V | null {
    const keyOf = this.base.shape.unique[index]!
    for (const row of this.staged.values()) if (row !== null && keyOf(row) === value) return row
    const committed = this.base.findUnique(index, value)
    // A committed row whose key was rewritten or deleted in this transaction no longer matches.
    return committed !== null && !this.staged.has(this.base.shape.key(committed)) ? committed : null
  }

  filter(predicate: (row: V) => boolean): V[] {
    const committed = this.base.filter((row) => !this.staged.has(this.base.shape.key(row)) && predicate(row))
    const staged = [...this.staged.values()].filter((row): row is V => row !== null && predicate(row))
    return [...committed, ...staged]
  }

  insert(row: V): void {
    const key = this.base.shape.key(row)
    if (this.get(key) !== null) throw new DuplicateKeyError(`Duplicate key ${key}`)
    for (const { name, keyOf } of this.base.uniqueIndexes) {
      const value = keyOf(row)
      if (value !== null && this.findUnique(name, value) !== null)
        throw new DuplicateKeyError(`Duplicate ${name}`)
    }
    this.staged.set(key, row)
  }

  put(row: V): void {
    this.staged.set(this.base.shape.key(row), row)
  }

  delete(key: string): boolean {
    const existed = this.get(key) !== null
    if (existed) this.staged.set(key, null)
    return existed
  }

  commit(): void {
    for (const [key, row] of this.staged) {
      if (row === null) this.base.delete(key)
      else this.base.put(row)
    }
    this.staged.clear()
  }
}
