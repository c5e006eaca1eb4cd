import type { IssuedTokenRecords } from '@sp-oauth/core'
import type { Insertable } from 'kysely'
import type { AccessTokenTable, EventOutboxTable, RefreshTokenTable } from '../database.js'
import { toAccessTokenRow } from '../repositories/access-token-repository.js'
import { toOutboxRow } from '../repositories/event-outbox-repository.js'
import { toRefreshTokenRow } from '../repositories/refresh-token-repository.js'
import type { SqlDialect } from '../sql-dialect.js'

/** The rows a code exchange or rotation inserts, encoded as the repositories encode them. */
export interface IssuedRows {
  readonly accessToken: Insertable<AccessTokenTable>
  readonly refreshToken: Insertable<RefreshTokenTable> | null
  /** Empty when the events do not go to the outbox. */
  readonly events: readonly Insertable<EventOutboxTable>[]
}

/** The rows of `issued`; its events only when they go to the outbox. */
export function toIssuedRows(
  dialect: SqlDialect,
  issued: IssuedTokenRecords,
  options: { readonly eventsGoToOutbox: boolean },
): IssuedRows {
  return {
    accessToken: toAccessTokenRow(dialect, issued.accessToken),
    refreshToken: issued.refreshToken === null ? null : toRefreshTokenRow(dialect, issued.refreshToken),
    events: options.eventsGoToOutbox ? issued.events.map((event) => toOutboxRow(dialect, event)) : [],
  }
}
