import type { Command } from 'commander'
import { formatDate } from '../output.js'
import { type Execute, examples } from './command-support.js'

/** `migrate status` and `migrate up`: the only commands that run on a database with migrations pending. */
export function registerMigrate(program: Command, execute: Execute): void {
  const migrate = program
    .command('migrate')
    .description('show or run the database migrations (creates the tables on an empty database)')
  examples(migrate, [
    'sp-oauth migrate status --database-url postgres://oauth@db:5432/oauth',
    'sp-oauth migrate up --database-url ./data/pglite',
  ])

  examples(
    migrate
      .command('status')
      .description('list the migrations applied (with when) and those not yet run')
      .action((_options: object, command: Command) =>
        execute(command, async (session) => {
          const database = await session.database({ checkMigrations: false })
          const pending = await database.storage.pendingMigrations()
          const applied = await database.appliedMigrations()
          session.out.document({
            database: database.location.display,
            applied: applied.map((migration) => ({
              name: migration.name,
              executedAt: migration.executedAt?.toISOString() ?? null,
            })),
            pending,
            upToDate: pending.length === 0,
          })
          session.out.line(database.location.display)
          session.out.line(
            `Applied (${applied.length}):${applied.length === 0 ? ' none, an empty database' : ''}`,
          )
          for (const migration of applied) {
            session.out.line(`  ${migration.name.padEnd(40)}  ${formatDate(migration.executedAt)}`)
          }
          if (pending.length === 0) {
            session.out.line('Pending: none, the database is up to date.')
          } else {
            session.out.line(`Pending (${pending.length}):`)
            for (const name of pending) session.out.line(`  ${name}`)
            session.out.line('Run them with: sp-oauth migrate up')
          }
        }),
      ),
    ['sp-oauth migrate status', 'sp-oauth migrate status --json --database-url mysql://oauth@db:3306/oauth'],
  )

  examples(
    migrate
      .command('up')
      .description(
        'run the migrations not yet run, in order (a PGlite directory that does not exist is created); safe to run again',
      )
      .action((_options: object, command: Command) =>
        execute(command, async (session) => {
          const location = session.location()
          const database = await session.database({ create: true, checkMigrations: false })
          const before = await database.storage.pendingMigrations()
          if (before.length > 0) {
            session.out.note(`running ${before.length} migration(s) on ${location.display}…`)
            await database.storage.migrate()
          }
          const after = await database.storage.pendingMigrations()
          const ran = before.filter((name) => !after.includes(name))
          session.out.document({
            database: location.display,
            ran,
            pending: after,
            upToDate: after.length === 0,
          })
          if (ran.length === 0) {
            session.out.line(`Nothing to run: ${location.display} is up to date.`)
          } else {
            session.out.line(`Ran ${ran.length} migration(s) on ${location.display}:`)
            for (const name of ran) session.out.line(`  ${name}`)
          }
        }),
      ),
    [
      'sp-oauth migrate up',
      'SP_OAUTH_DATABASE_URL=postgres://oauth@db/oauth sp-oauth migrate up --schema oauth',
    ],
  )
}
