import type { SqlDialect } from '../sql-dialect.js'

// Decoding of stored columns into record fields. Every call builds fresh values (a new array, a new
// object, a new `Date`), so no two records share anything a caller could change.

/** A JSON array of strings. */
export function decodeStrings<T extends string = string>(dialect: SqlDialect, raw: unknown): T[] {
  return dialect.decodeJson(raw) as T[]
}

/** A JSON object. */
export function decodeObject(dialect: SqlDialect, raw: unknown): Record<string, unknown> {
  return dialect.decodeJson(raw) as Record<string, unknown>
}

/** A timestamp that may be `NULL`. */
export function decodeNullableDate(dialect: SqlDialect, raw: unknown): Date | null {
  return raw === null || raw === undefined ? null : dialect.decodeDate(raw)
}
