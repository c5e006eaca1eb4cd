import type { AtomicIssuance } from '@sp-oauth/core'
import type { Kysely } from 'kysely'
import type { SpOAuthDatabase } from '../database.js'
import { type RetryPolicy, retrying } from '../retry-policy.js'
import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import { wrapMethods } from '../wrap-methods.js'
import { cteIssuance } from './cte-issuance.js'
import { procedureIssuance } from './procedure-issuance.js'

/**
 * `AtomicIssuance` in one round trip per step: one statement on PostgreSQL, one procedure call on
 * MySQL (see {@link SqlDialect.atomicIssuance}). Each step is repeated after a serialization
 * failure or deadlock, like the repositories' calls: a statement that failed changed nothing.
 *
 * @param db Kysely with the table name plugin.
 */
export function createSqlAtomicIssuance(
  db: Kysely<SpOAuthDatabase>,
  dialect: SqlDialect,
  names: TableNames,
  options: { readonly eventsGoToOutbox: boolean; readonly retry: RetryPolicy },
): AtomicIssuance {
  const { eventsGoToOutbox } = options
  const steps =
    dialect.atomicIssuance === 'stored-procedure'
      ? procedureIssuance(db, dialect, names, { eventsGoToOutbox })
      : cteIssuance(db, dialect, { eventsGoToOutbox })
  return { eventsGoToOutbox, ...wrapMethods(steps, (call) => retrying(dialect, options.retry, call)) }
}
