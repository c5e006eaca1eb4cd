// A Kysely dialect that lets a test step in before each statement a storage sends, to count the
// statements, fail one of them, or break the connection under it; and StatementFaults, the
// interceptor the atomicity tests use.
import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely'

/** What {@link InterceptingDialect} calls before each statement. */
export interface StatementInterceptor {
  /**
   * Called with each statement before it is sent (BEGIN, COMMIT and ROLLBACK included), and the
   * driver's own connection it is about to go to: a statement run on that connection is not seen
   * here. Throwing fails the statement unsent; the statement waits for a returned promise.
   */
  before(query: CompiledQuery, connection: DatabaseConnection): void | Promise<void>
}

/** `inner`, with every statement passed through `interceptor` first. */
export class InterceptingDialect implements Dialect {
  readonly #inner: Dialect
  readonly #interceptor: StatementInterceptor

  constructor(inner: Dialect, interceptor: StatementInterceptor) {
    this.#inner = inner
    this.#interceptor = interceptor
  }

  createAdapter(): DialectAdapter {
    return this.#inner.createAdapter()
  }

  createDriver(): Driver {
    return new InterceptingDriver(this.#inner.createDriver(), this.#interceptor)
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.#inner.createIntrospector(db)
  }

  createQueryCompiler(): QueryCompiler {
    return this.#inner.createQueryCompiler()
  }
}

class InterceptingDriver implements Driver {
  readonly #inner: Driver
  readonly #interceptor: StatementInterceptor

  constructor(inner: Driver, interceptor: StatementInterceptor) {
    this.#inner = inner
    this.#interceptor = interceptor
  }

  init(): Promise<void> {
    return this.#inner.init()
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#inner.acquireConnection()
    const interceptor = this.#interceptor
    // A proxy, so the inner driver's private methods (release, discard) still reach the original.
    return new Proxy(connection, {
      get(target, property) {
        if (property === 'executeQuery') {
          return <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
            const before = interceptor.before(query, target)
            // A synchronous interceptor sends the statement in the same tick, as without one.
            return before instanceof Promise
              ? before.then(() => target.executeQuery<R>(query))
              : target.executeQuery<R>(query)
          }
        }
        if (property === 'streamQuery') {
          return async function* <R>(query: CompiledQuery, chunkSize?: number) {
            await interceptor.before(query, target)
            yield* target.streamQuery<R>(query, chunkSize)
          }
        }
        const value: unknown = Reflect.get(target, property)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings)
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection)
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection)
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(connection)
  }

  destroy(): Promise<void> {
    return this.#inner.destroy()
  }
}

/**
 * Sees every statement a Kysely instance sends (BEGIN, COMMIT and ROLLBACK included), counts
 * them, and when armed throws at the Nth one instead of sending it. Give it to an
 * {@link InterceptingDialect}.
 */
export class StatementFaults implements StatementInterceptor {
  #failAt: number | null = null
  #seen = 0
  readonly statements: string[] = []

  /** Starts counting from zero; throws at statement `failAt` (1-based), or never with `null`. */
  arm(failAt: number | null): void {
    this.#failAt = failAt
    this.#seen = 0
    this.statements.length = 0
  }

  disarm(): void {
    this.#failAt = null
  }

  /** Statements seen since the last {@link arm}. */
  get seen(): number {
    return this.#seen
  }

  before(query: CompiledQuery): void {
    this.#seen += 1
    this.statements.push(query.sql)
    if (this.#failAt !== null && this.#seen === this.#failAt) {
      this.#failAt = null
      throw new Error(`injected failure at statement ${this.#seen}: ${query.sql}`)
    }
  }
}
