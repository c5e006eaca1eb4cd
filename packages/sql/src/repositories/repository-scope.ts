import type { Compilable, Kysely, UpdateResult } from 'kysely'
import { type CompiledShapes, compiledShapes } from '../compiled-shapes.js'
import type { SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'

/** What every repository runs on: a Kysely instance (the pool, or one transaction) and the dialect. */
export interface RepositoryScope {
  readonly db: Kysely<SpOAuthDatabase>
  readonly dialect: SqlDialect
  /**
   * The storage's compiled lookups (see {@link lookUpOne}), shared by its transactions, whose
   * Kysely instances compile the same text. Without it, each lookup is compiled on every call.
   */
  readonly lookups?: CompiledShapes<unknown>
}

/**
 * The first row `select(key)` reads, with the statement compiled once per storage under `name`:
 * the lookups by key (a client, a code, a token by its hash) run on every token request and
 * bearer check, and building one with Kysely costs more CPU than the database spends answering it.
 */
export async function lookUpOne<R>(
  scope: RepositoryScope,
  name: string,
  key: string,
  select: (key: string) => (db: Kysely<SpOAuthDatabase>) => Compilable<R>,
): Promise<R | undefined> {
  const lookups = (scope.lookups ?? compiledShapes<unknown>()) as CompiledShapes<R>
  const compiled = lookups(name, (slot) => select(slot('key'))(scope.db).compile(), new Map([['key', key]]))
  return (await scope.db.executeQuery(compiled)).rows[0]
}

/** A conditional `UPDATE` of at most one row, as Kysely builds it. */
export interface ConditionalUpdate<R> {
  returningAll(): { executeTakeFirst(): Promise<R | undefined> }
  executeTakeFirst(): Promise<UpdateResult>
}

/** A `SELECT` of that one row by its key. */
export interface RowSelect<R> {
  forUpdate(): { executeTakeFirst(): Promise<R | undefined> }
}

/** How to tell whether the `UPDATE` applied, without `RETURNING`. */
export type UpdateApplied<R> =
  /** The `WHERE` matches only rows the update changes, so affected rows tell. */
  | 'affected-rows'
  /** Affected rows may not tell (an update to the same values): the re-read row does. */
  | ((row: R) => boolean)

/**
 * Runs `fn` in the scope's transaction, or in a transaction of its own when the scope is not one,
 * so that statements that belong together see and lock the same rows.
 */
export function inTransaction<T>(
  db: Kysely<SpOAuthDatabase>,
  fn: (db: Kysely<SpOAuthDatabase>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn)
}

/**
 * Applies a conditional update of one row and returns the row as this call left it, or `null` when
 * the condition did not hold. With `UPDATE … RETURNING` that is one atomic statement. Without it,
 * the update runs first (its row lock makes concurrent callers wait, and its affected rows decide
 * the winner), then the row is re-read with `FOR UPDATE` in the same transaction, so nobody can
 * change it in between.
 */
export async function updateOne<R>(
  scope: RepositoryScope,
  update: (db: Kysely<SpOAuthDatabase>) => ConditionalUpdate<R>,
  select: (db: Kysely<SpOAuthDatabase>) => RowSelect<R>,
  applied: UpdateApplied<R>,
): Promise<R | null> {
  if (scope.dialect.supportsUpdateReturning) {
    return (await update(scope.db).returningAll().executeTakeFirst()) ?? null
  }
  return inTransaction(scope.db, async (db) => {
    const result = await update(db).executeTakeFirst()
    if (applied === 'affected-rows' && result.numUpdatedRows === 0n) return null
    const row = await select(db).forUpdate().executeTakeFirst()
    if (row === undefined) return null
    return applied === 'affected-rows' || applied(row) ? row : null
  })
}

/** A count from a driver (`bigint`) as a number. */
export function count(value: bigint | undefined): number {
  return Number(value ?? 0n)
}

/**
 * Revokes every unrevoked access or refresh token whose `column` is `value` (a family, a client):
 * one `UPDATE … WHERE revoked_at IS NULL`, so a second call changes nothing. Returns how many.
 */
export async function revokeAllWhere(
  db: Kysely<SpOAuthDatabase>,
  table: 'access_tokens' | 'refresh_tokens',
  column: 'family_id' | 'client_id',
  value: string,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable(table)
    .set({ revoked_at: now })
    .where(column, '=', value)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return count(result.numUpdatedRows)
}

/**
 * Revokes the unrevoked tokens of `table` issued to `userId` (and to `clientId`, unless `null`) in
 * one `UPDATE`, served by the `(user_id, client_id)` index of `0006_user_revocation`.
 */
export async function revokeAllOfUser(
  db: Kysely<SpOAuthDatabase>,
  table: 'access_tokens' | 'refresh_tokens',
  userId: string,
  clientId: string | null,
  now: Date,
): Promise<number> {
  let update = db.updateTable(table).set({ revoked_at: now }).where('user_id', '=', userId)
  if (clientId !== null) update = update.where('client_id', '=', clientId)
  const result = await update.where('revoked_at', 'is', null).executeTakeFirst()
  return count(result.numUpdatedRows)
}
