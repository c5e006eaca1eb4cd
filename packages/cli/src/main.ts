import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { type CliError, EXIT } from './cli-error.js'
import { registerClients } from './commands/clients.js'
import type { Execute } from './commands/command-support.js'
import { registerConsents } from './commands/consents.js'
import { registerKeys } from './commands/keys.js'
import { registerMigrate } from './commands/migrate.js'
import { registerPrune } from './commands/prune.js'
import { registerStatus } from './commands/status.js'
import { registerTokens } from './commands/tokens.js'
import { type Environment, type GlobalOptions, Session } from './session.js'

const EXIT_CODE_HELP = `
Exit codes:
  0  done
  1  usage error or invalid input (the message names the option or field)
  2  not found (client, signing key, consent)
  3  database unreachable, in use by another process (PGlite), or failed
  4  database migrations pending: run sp-oauth migrate up
  5  configuration: hash key missing or invalid, invalid issuer

Environment:
  SP_OAUTH_DATABASE_URL  the database, when --database-url is not given
  SP_OAUTH_HASH_KEY      the hash key (id: SP_OAUTH_HASH_KEY_ID, default "env"), or
  SP_OAUTH_HASH_KEYS     id=secret,id2=secret2 (the first current); only clients create,
                         rotate-secret and import, and keys rotate need one
  SP_OAUTH_ISSUER        the issuer, when --issuer is not given
  SP_OAUTH_ACCESS_TOKEN_TTL_MINUTES, SP_OAUTH_REFRESH_TOKEN_TTL_DAYS
                         your servers' lifetimes (default 60 and 30): the ceiling of a
                         client's own, and what keys rotate retires previous keys by

Full reference: https://github.com/sp-oauth/sp-oauth/blob/main/docs/cli.md
`

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves with the exit
 * code. Never rejects and never exits the process: `cli.ts` does that.
 */
export async function main(argv: readonly string[], environment: Environment): Promise<number> {
  const json = wantsJson(argv)
  let exitCode: number = EXIT.ok
  const execute: Execute = async (command, work) => {
    const session = new Session(environment, command.optsWithGlobals<GlobalOptions>())
    try {
      await work(session)
    } catch (error) {
      exitCode = report(session.toCliError(error), environment, json)
    } finally {
      await session.close()
    }
  }

  const program = new Command('sp-oauth')
  program
    .description(
      'Operate an sp-oauth authorization server: its database migrations, clients, signing keys, consents and tokens.',
    )
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: environment.stdout,
      writeErr: environment.stderr,
      outputError: (text, write) => write(withoutOptionValues(text)),
    })
    .showHelpAfterError('(add --help for usage and examples)')
    .configureHelp({ showGlobalOptions: true })
    .option(
      '--database-url <url>',
      'postgres://… or postgresql://… (PostgreSQL), mysql://… (MySQL/MariaDB), anything else a PGlite directory (default: SP_OAUTH_DATABASE_URL)',
    )
    .option('--schema <name>', 'PostgreSQL schema of the tables (default: the search path, usually public)')
    .option('--table-prefix <prefix>', 'prefix of every table name (default: sp_oauth_)')
    .option(
      '--issuer <url>',
      'the issuer URL (default: SP_OAUTH_ISSUER, else a placeholder: the CLI issues no token)',
    )
    .option(
      '--outbox',
      'write the events of each change to the outbox table, as servers with outbox: true do',
    )
    .option('--json', 'print one JSON document on stdout (errors too: { "error": { "code", "message" } })')
    .addHelpText('after', EXIT_CODE_HELP)

  registerMigrate(program, execute)
  registerStatus(program, execute)
  registerClients(program, execute)
  registerKeys(program, execute)
  registerConsents(program, execute)
  registerTokens(program, execute)
  registerPrune(program, execute)

  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error
    // Help and --version: done. Anything else commander already printed on stderr.
    if (error.exitCode === 0) return EXIT.ok
    if (json) {
      const message =
        error.code === 'commander.help'
          ? 'a subcommand is needed: see the list above'
          : withoutOptionValues(error.message).replace(/^error: /, '')
      environment.stdout(`${JSON.stringify({ error: { code: 'usage', message } }, null, 2)}\n`)
    }
    return EXIT.usage
  }
  return exitCode
}

/** Prints the error (one line on stderr; with `--json` also the document on stdout) and returns its exit code. */
function report(error: CliError, environment: Environment, json: boolean): number {
  environment.stderr(`error: ${error.message}\n`)
  if (json) {
    const document = { error: { code: error.code, message: error.message, ...error.details } }
    environment.stdout(`${JSON.stringify(document, null, 2)}\n`)
  }
  return error.exitCode
}

/**
 * Commander's message without the value of an unknown `--option=value`: a mistyped
 * `--secert=…`, or `--secret=…` on a command that has none, would print the secret.
 */
function withoutOptionValues(message: string): string {
  return message.replace(/(unknown option '[^'=]*)=[^']*'/g, "$1=…'")
}

/** Whether `--json` was given, before any `--`: known before commander parses, for its own errors. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json')
}

function version(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string
    }
    return manifest.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}
