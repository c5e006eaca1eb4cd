import type { AuthorizationServer, Client, ClientImport } from '@sp-oauth/core'
import type { Command } from 'commander'
import { CliError } from '../cli-error.js'
import { clientJson, clientType, withFlags } from '../client-view.js'
import { type ImportRow, loadImportFile } from '../import-file.js'
import { list, table } from '../output.js'
import type { Session } from '../session.js'
import { addClientOptions, type ClientFlags, clientInputFromFlags } from './client-options.js'
import { type Execute, examples } from './command-support.js'

interface ImportFlags extends ClientFlags {
  readonly id?: string
  readonly secret?: string
  readonly secretStdin?: boolean
  readonly createdAt?: string
  readonly file?: string
  readonly dryRun?: boolean
}

/** A row that cannot be imported, as reported. */
interface BadRow {
  readonly index: number
  readonly line: number | null
  readonly id: string | null
  readonly problems: readonly string[]
}

/** `clients import`: clients with the ids and secrets they have elsewhere, all or none. */
export function registerClientImport(clients: Command, execute: Execute): void {
  const command = clients
    .command('import')
    .description(
      'register clients with the ids and secrets they have on another server (a migration): one from the options, or many from --file. Every client is checked first; if any is refused, none is imported. Needs the hash key (not with --dry-run)',
    )
    .option(
      '--file <path>',
      'clients.json (an array of client objects) or clients.csv (a header row): see docs/cli.md',
    )
    .option('--dry-run', 'check every client (a taken id included) and write nothing')
    .option('--id <id>', 'its client id there: 1-128 visible ASCII characters, no spaces')
    .option(
      '--secret <secret>',
      "its current secret (confidential clients; prefer --secret-stdin: an option lands in the shell's history and in ps)",
    )
    .option('--secret-stdin', 'read the secret from standard input (one line)')
    .option('--created-at <date>', 'when it was registered there, ISO 8601 (default: now)')
  addClientOptions(command, 'create')
  command.action((flags: ImportFlags, command: Command) =>
    execute(command, async (session) => {
      const { rows, source } = await rowsOf(session, flags)
      const hashKeys = flags.dryRun === true ? null : session.requireHashKeys()
      const server = await session.server({ hashKeys })
      const bad = await checkRows(server, rows)
      if (bad.length > 0 && flags.file === undefined) {
        const problems = bad[0]!.problems
        throw new CliError('invalid_input', `invalid client: ${withFlags(problems.join('; '))}`, {
          details: { problems },
        })
      }
      if (bad.length > 0) {
        for (const row of bad) session.out.note(`  ${where(row)}: ${row.problems.join('; ')}`)
        throw new CliError(
          'invalid_input',
          `${bad.length} of ${rows.length} client(s) in ${source} cannot be imported (listed above)${
            flags.dryRun === true ? '; a dry run writes nothing' : ', so none was imported'
          }: fix them and run again`,
          { details: { rows: bad } },
        )
      }
      if (flags.dryRun === true) {
        session.out.document({ dryRun: true, checked: rows.length, imported: [] })
        session.out.line(
          `Checked ${rows.length} client(s) from ${source}: every one can be imported. Nothing was written.`,
        )
        return
      }
      const imported: Client[] = []
      for (const row of rows) {
        // Every row was read (checkRows refuses one that was not): the guard is for the types.
        if (row.input === null) continue
        try {
          imported.push(await server.importClient(row.input))
        } catch (error) {
          const failure = session.toCliError(error)
          throw new CliError(
            failure.code,
            `imported ${imported.length} of ${rows.length} client(s) from ${source}, then ${where(rowOf(row))} failed: ${failure.message}`,
            { cause: error, details: { imported: imported.map((client) => client.id), failed: rowOf(row) } },
          )
        }
      }
      session.out.document({ dryRun: false, checked: rows.length, imported: imported.map(clientJson) })
      session.out.line(`Imported ${imported.length} client(s) from ${source}:`)
      session.out.line(
        table(
          ['ID', 'NAME', 'TYPE', 'GRANTS', 'SCOPES'],
          imported.map((client) => [
            client.id,
            client.name,
            clientType(client),
            list(client.allowedGrants),
            list(client.allowedScopes),
          ]),
        ),
      )
      session.out.line('Their secrets are stored only as hashes: each client keeps using the secret it has.')
    }),
  )
  examples(command, [
    'sp-oauth clients import --file clients.csv --dry-run',
    'sp-oauth clients import --file clients.json',
    'printf %s "$SECRET" | sp-oauth clients import --id legacy-erp --secret-stdin --name "ERP Connector" --redirect-uri https://erp.example.com/cb --grant authorization_code,refresh_token --scope invoices.read',
  ])
}

/** The rows to import: the file's, or the one the options describe. */
async function rowsOf(
  session: Session,
  flags: ImportFlags,
): Promise<{ readonly rows: readonly ImportRow[]; readonly source: string }> {
  if (flags.file !== undefined) {
    const clientOptions = [
      'id',
      'secret',
      'secretStdin',
      'createdAt',
      'name',
      'redirectUri',
      'grant',
      'scope',
    ]
    const given = clientOptions.filter((option) => (flags as Record<string, unknown>)[option] !== undefined)
    if (given.length > 0 || flags.public === true) {
      throw new CliError(
        'usage',
        '--file imports the clients the file describes: give the client options (--id, --name, …) without --file, for one client',
      )
    }
    const rows = loadImportFile(flags.file)
    if (rows.length === 0) throw new CliError('invalid_input', `${flags.file} holds no client`)
    return { rows, source: flags.file }
  }
  if (flags.id === undefined) {
    throw new CliError(
      'usage',
      'give --file clients.json|clients.csv, or one client: --id, --name and the other options of clients create',
    )
  }
  if (flags.secret !== undefined && flags.secretStdin === true) {
    throw new CliError('usage', '--secret and --secret-stdin: give the secret one way')
  }
  const secret =
    flags.secretStdin === true
      ? (await session.environment.readStdin()).replace(/\r?\n$/, '')
      : (flags.secret ?? null)
  const problems: string[] = []
  let createdAt: Date | undefined
  if (flags.createdAt !== undefined) {
    createdAt = new Date(flags.createdAt)
    if (!Number.isFinite(createdAt.getTime())) {
      problems.push('createdAt: must be an ISO 8601 date, e.g. 2024-03-01T12:00:00Z')
      createdAt = undefined
    }
  }
  const input: ClientImport = {
    ...clientInputFromFlags(flags),
    id: flags.id,
    secret,
    ...(createdAt === undefined ? {} : { createdAt }),
  }
  return { rows: [{ index: 0, line: null, input, problems }], source: 'the options' }
}

/** Every row's problems (the core's checks, a taken id, an id twice in the file); only rows that have some. */
async function checkRows(server: AuthorizationServer, rows: readonly ImportRow[]): Promise<BadRow[]> {
  const bad: BadRow[] = []
  const firstWithId = new Map<string, ImportRow>()
  for (const row of rows) {
    if (row.input === null) {
      bad.push(rowOf(row))
      continue
    }
    const problems = [...row.problems]
    const fieldsWithProblems = new Set(problems.map((problem) => problem.split(':')[0]))
    for (const problem of await server.checkClientImport(row.input)) {
      // A field the file already could not read is reported once, as written.
      if (!fieldsWithProblems.has(problem.split(':')[0])) problems.push(problem)
    }
    const id = idOf(row)
    if (id !== null) {
      const first = firstWithId.get(id)
      if (first) problems.push(`id: already used by ${where(rowOf(first))} of this file`)
      else firstWithId.set(id, row)
    }
    if (problems.length > 0) bad.push({ ...rowOf(row), problems })
  }
  return bad
}

function rowOf(row: ImportRow): BadRow {
  return {
    index: row.index,
    line: row.line,
    id: idOf(row),
    problems: row.problems,
  }
}

function idOf(row: ImportRow): string | null {
  return typeof row.input?.id === 'string' ? row.input.id : null
}

/** `line 3 (id legacy-erp)`, `client 2 (id …)`: where a row is, for people. */
function where(row: BadRow): string {
  const position = row.line === null ? `client ${row.index + 1}` : `line ${row.line}`
  return row.id === null ? position : `${position} (id ${row.id})`
}
