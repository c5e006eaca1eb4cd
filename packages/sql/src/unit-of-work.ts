import type { TransactionalRepositories, UnitOfWork } from '@sp-oauth/core'
import type { Kysely } from 'kysely'
import type { CompiledShapes } from './compiled-shapes.js'
import type { SpOAuthDatabase } from './database.js'
import { createRepositories } from './repositories/create-repositories.js'
import { createEventOutboxRepository } from './repositories/event-outbox-repository.js'
import { type RetryPolicy, retryDelayMs, sleep } from './retry-policy.js'
import type { SqlDialect } from './sql-dialect.js'
import { wrapMethods } from './wrap-methods.js'

/**
 * A `UnitOfWork` on Kysely: `work` runs in one transaction at the dialect's isolation level with
 * repositories bound to it (and the outbox when `outbox` is set); resolve commits, reject rolls
 * back. After a serialization failure or deadlock (in a statement, or at commit) the transaction is
 * rolled back and `work` runs again from the start with fresh repositories, after a short random
 * wait, up to `retry.maxAttempts` times; then the last error is thrown. A failure counts even when
 * `work` caught it and threw something else, since the transaction is lost either way.
 */
export function createSqlUnitOfWork(
  db: Kysely<SpOAuthDatabase>,
  dialect: SqlDialect,
  options: {
    readonly outbox: boolean
    readonly retry: RetryPolicy
    /** The storage's compiled lookups (see `lookUpOne`). */
    readonly lookups?: CompiledShapes<unknown>
  },
): UnitOfWork {
  return {
    run: async (work) => {
      for (let attempt = 1; ; attempt++) {
        const failures = { retryable: false }
        try {
          return await db
            .transaction()
            .setIsolationLevel(dialect.isolationLevel)
            .execute((transaction) => {
              const scope = {
                db: transaction,
                dialect,
                ...(options.lookups ? { lookups: options.lookups } : {}),
              }
              const watch = <R>(call: () => Promise<R>): Promise<R> =>
                call().catch((error: unknown) => {
                  if (dialect.isRetryable(error)) failures.retryable = true
                  throw error
                })
              const repositories: TransactionalRepositories = {
                ...createRepositories(scope, watch),
                ...(options.outbox ? { outbox: wrapMethods(createEventOutboxRepository(scope), watch) } : {}),
              }
              return work(repositories)
            })
        } catch (error) {
          const retryable = failures.retryable || dialect.isRetryable(error)
          if (!retryable || attempt >= options.retry.maxAttempts) throw error
          await sleep(retryDelayMs(options.retry, attempt))
        }
      }
    },
  }
}
