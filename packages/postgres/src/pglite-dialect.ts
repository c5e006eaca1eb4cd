import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'

/**
 * The part of a PGlite instance (`@electric-sql/pglite`) the dialect uses, so this package needs
 * no dependency on PGlite's types.
 */
export interface PGliteClient {
  query<T>(
    query: string,
    params?: unknown[],
    options?: { rowMode?: 'object' },
  ): Promise<{ rows: T[]; affectedRows?: number }>
  close(): Promise<void>
}

/**
 * A Kysely dialect for PGlite, PostgreSQL compiled to WebAssembly and run in process. PGlite is
 * one connection: the driver hands it to one user at a time (a transaction keeps it until it
 * ends), so queries of a transaction never interleave with anyone else's. Destroying the Kysely
 * instance closes the PGlite database.
 */
export class PGliteDialect implements Dialect {
  readonly #client: PGliteClient

  constructor(client: PGliteClient) {
    this.#client = client
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter()
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#client)
  }

  createIntrospector(db: Kysely<unknown>): PostgresIntrospector {
    return new PostgresIntrospector(db)
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler()
  }
}

class PGliteDriver implements Driver {
  readonly #client: PGliteClient
  readonly #connection: PGliteConnection
  /** The end of the queue of those waiting for the connection. */
  #queue: Promise<void> = Promise.resolve()
  #release: (() => void) | null = null

  constructor(client: PGliteClient) {
    this.#client = client
    this.#connection = new PGliteConnection(client)
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue
    let release: () => void = () => undefined
    this.#queue = new Promise<void>((resolve) => {
      release = resolve
    })
    await previous
    this.#release = release
    return this.#connection
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : ''
    const access = settings.accessMode ? ` ${settings.accessMode}` : ''
    await connection.executeQuery(CompiledQuery.raw(`start transaction${isolation}${access}`))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release
    this.#release = null
    release?.()
  }

  async destroy(): Promise<void> {
    await this.#client.close()
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #client: PGliteClient

  constructor(client: PGliteClient) {
    this.#client = client
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#client.query<R>(compiledQuery.sql, [...compiledQuery.parameters], {
      rowMode: 'object',
    })
    return result.affectedRows === undefined
      ? { rows: result.rows }
      : { rows: result.rows, numAffectedRows: BigInt(result.affectedRows) }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // PGlite returns whole results; one chunk is all there is.
    yield await this.executeQuery<R>(compiledQuery)
  }
}
