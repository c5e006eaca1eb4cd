// For this folder's unit tests: Kysely on a driver that answers every query with what `answer`
// returns (or throws), compiling for PostgreSQL or MySQL, and the queries it was asked to run.
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely'

/** The rows of a query's answer (or, for a write, how many rows it changed), or the error it fails with. */
export type Answer = (query: CompiledQuery) => readonly unknown[] | { readonly affectedRows: number } | Error

class AnsweringDriver extends DummyDriver {
  readonly #answer: Answer

  constructor(answer: Answer) {
    super()
    this.#answer = answer
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const answer = this.#answer
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        const result = answer(query)
        if (result instanceof Error) throw result
        if (!Array.isArray(result)) {
          return { rows: [], numAffectedRows: BigInt((result as { affectedRows: number }).affectedRows) }
        }
        return { rows: [...result] as R[] }
      },
      streamQuery: async function* () {},
    }
  }
}

/** Kysely compiling for `flavour`, answered by `answer`, and the queries it ran. */
export function answeringKysely(
  flavour: 'postgres' | 'mysql',
  answer: Answer,
): { db: Kysely<unknown>; queries: CompiledQuery[] } {
  const queries: CompiledQuery[] = []
  const dialect: Dialect = {
    createAdapter: () => (flavour === 'postgres' ? new PostgresAdapter() : new MysqlAdapter()),
    createDriver: () => new AnsweringDriver(answer),
    createIntrospector: (db) =>
      flavour === 'postgres' ? new PostgresIntrospector(db) : new MysqlIntrospector(db),
    createQueryCompiler: () =>
      flavour === 'postgres' ? new PostgresQueryCompiler() : new MysqlQueryCompiler(),
  }
  const db = new Kysely<unknown>({ dialect, log: (event) => void queries.push(event.query) })
  return { db, queries }
}
