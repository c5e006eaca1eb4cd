import type { PruneExpiredOptions, PruneExpiredResult } from '@sp-oauth/postgres'
import type { Command } from 'commander'
import { fields } from '../output.js'
import { type Execute, examples, positiveInteger } from './command-support.js'

/**
 * The tables `pruneExpired` cleans, in its own order (refresh tokens before access tokens, so an
 * access token's family check sees the same live refresh tokens), with the retention option that
 * selects each.
 */
const TABLES = [
  { result: 'authorizationCodes', retention: 'authorizationCodeRetentionDays', label: 'authorization codes' },
  { result: 'refreshTokens', retention: 'refreshTokenRetentionDays', label: 'refresh tokens' },
  { result: 'accessTokens', retention: 'accessTokenRetentionDays', label: 'access tokens' },
  { result: 'eventOutbox', retention: 'deliveredEventRetentionDays', label: 'delivered outbox events' },
  { result: 'consentTickets', retention: 'consentTicketRetentionDays', label: 'consent tickets' },
] as const

/**
 * A retention no row can be older than (about 270 years): a pass with every other table's
 * retention set to it prunes one table only, so progress is reported table by table.
 */
const NOTHING_THAT_OLD_DAYS = 100_000

/** `prune`: deletes expired codes and tokens and old delivered events, in batches. */
export function registerPrune(program: Command, execute: Execute): void {
  examples(
    program
      .command('prune')
      .description(
        "delete what no request can use any more, in batches, with the storage's default retentions: codes expired over a day ago, access tokens expired or revoked over 30 days ago, refresh tokens over 60 days ago (never one of a live family), delivered outbox events over 7 days ago, used consent tickets; safe to run from several places at once",
      )
      .option('--batch-size <rows>', 'rows per DELETE (default 1000)', positiveInteger)
      .action((options: { batchSize?: number }, command: Command) =>
        execute(command, async (session) => {
          const database = await session.database()
          const now = new Date()
          const counts: Record<keyof PruneExpiredResult, number> = {
            authorizationCodes: 0,
            refreshTokens: 0,
            accessTokens: 0,
            eventOutbox: 0,
            consentTickets: 0,
          }
          session.out.note(`pruning ${database.location.display}…`)
          for (const table of TABLES) {
            const started = performance.now()
            const passOptions: Record<string, unknown> = { now }
            if (options.batchSize !== undefined) passOptions.batchSize = options.batchSize
            for (const other of TABLES)
              if (other !== table) passOptions[other.retention] = NOTHING_THAT_OLD_DAYS
            const result = await database.storage.pruneExpired(passOptions as PruneExpiredOptions)
            counts[table.result] = result[table.result]
            const seconds = ((performance.now() - started) / 1000).toFixed(1)
            session.out.note(`  ${table.label}: ${result[table.result]} deleted (${seconds} s)`)
          }
          const total = Object.values(counts).reduce((sum, count) => sum + count, 0)
          session.out.document({ batchSize: options.batchSize ?? 1000, deleted: counts, total })
          session.out.line(`Deleted ${total} row(s):`)
          session.out.line(fields(TABLES.map((table) => [table.label, String(counts[table.result])])))
        }),
      ),
    ['sp-oauth prune', 'sp-oauth prune --batch-size 500 --json'],
  )
}
