import { type AuthorizationServer, CLIENT_PATCH_FIELDS, type Client } from '@sp-oauth/core'
import type { Command } from 'commander'
import { CliError } from '../cli-error.js'
import { clientDetails, clientJson, clientType } from '../client-view.js'
import { formatDate, list, table } from '../output.js'
import type { Session } from '../session.js'
import {
  addClientOptions,
  asClientInputError,
  type ClientFlags,
  clientInputFromFlags,
  clientPatchFromFlags,
} from './client-options.js'
import { registerClientImport } from './clients-import.js'
import { collect, type Execute, examples, positiveInteger } from './command-support.js'
import { findClient } from './find-client.js'

/** Printed under every secret the CLI shows: it is never shown again. */
export const SECRET_WARNING =
  'Client secret, shown only now: only its hash is stored, so it cannot be shown again. Hand it to the client and keep it in a secret store.'

/** `clients …`: register, import, list, show, change, rotate and revoke clients. */
export function registerClients(program: Command, execute: Execute): void {
  const clients = program
    .command('clients')
    .description('the registered clients: create, import, list, show, update, rotate-secret, revoke')
  examples(clients, [
    'sp-oauth clients create --name "ERP Connector" --redirect-uri https://erp.example.com/callback --grant authorization_code refresh_token --scope invoices.read',
    'sp-oauth clients list --search erp',
  ])

  registerCreate(clients, execute)
  registerClientImport(clients, execute)
  registerList(clients, execute)
  registerShow(clients, execute)
  registerUpdate(clients, execute)
  registerRotateSecret(clients, execute)
  registerRevoke(clients, execute)
}

function registerCreate(clients: Command, execute: Execute): void {
  const create = clients
    .command('create')
    .description(
      'register a client; a confidential one gets a secret, shown once. Needs the hash key (SP_OAUTH_HASH_KEY or SP_OAUTH_HASH_KEYS)',
    )
  addClientOptions(create, 'create')
  create.action((flags: ClientFlags, command: Command) =>
    execute(command, async (session) => {
      if (flags.name === undefined) {
        throw new CliError(
          'usage',
          "required option '--name <name>' not specified (add --help for usage and examples)",
        )
      }
      const hashKeys = session.requireHashKeys()
      const server = await session.server({ hashKeys })
      const created = await asClientInputError('invalid client', () =>
        server.createClient(clientInputFromFlags(flags)),
      )
      session.out.document({ client: clientJson(created.client), secret: created.plaintextSecret })
      session.out.line(`Created client ${created.client.id} (${created.client.name}):`)
      session.out.line(clientDetails(created.client))
      printSecret(session, created.plaintextSecret)
    }),
  )
  examples(create, [
    'sp-oauth clients create --name "ERP Connector" --redirect-uri https://erp.example.com/callback --grant authorization_code --grant refresh_token --scope "invoices.read invoices.write"',
    'sp-oauth clients create --name "Nightly sync" --grant client_credentials --scope invoices.read --json',
    'sp-oauth clients create --name "Mobile app" --public --application-type native --redirect-uri http://127.0.0.1/callback --grant authorization_code,refresh_token --scope profile',
  ])
}

function registerList(clients: Command, execute: Execute): void {
  const command = clients
    .command('list')
    .description('the clients in the order they were registered, a page at a time (never a secret)')
    .option('--include-revoked', 'revoked clients too')
    .option('--search <text>', 'only clients whose name contains it or whose id starts with it (any case)')
    .option('--limit <n>', 'clients per page, 1 to 1000 (default 50)', positiveInteger)
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .option('--all', 'every page (--limit sets the page size)')
    .action(
      (
        options: {
          includeRevoked?: boolean
          search?: string
          limit?: number
          cursor?: string
          all?: boolean
        },
        command: Command,
      ) =>
        execute(command, async (session) => {
          const server = await session.server()
          // --all without --limit: the largest pages, the fewest round trips.
          const limit = options.limit ?? (options.all === true ? 1000 : undefined)
          const found: Client[] = []
          let cursor: string | null = options.cursor ?? null
          do {
            const page = await asClientInputError('invalid list options', () =>
              server.listClients({
                includeRevoked: options.includeRevoked === true,
                search: options.search ?? null,
                cursor,
                ...(limit === undefined ? {} : { limit }),
              }),
            )
            found.push(...page.clients)
            cursor = page.nextCursor
          } while (options.all === true && cursor !== null)
          session.out.document({ clients: found.map(clientJson), nextCursor: cursor })
          if (found.length === 0) {
            session.out.line(
              options.search === undefined
                ? 'No clients.'
                : `No client matches ${JSON.stringify(options.search)}.`,
            )
          } else {
            session.out.line(
              table(
                ['ID', 'NAME', 'TYPE', 'GRANTS', 'SCOPES', 'CREATED', 'STATUS'],
                found.map((client) => [
                  client.id,
                  client.name,
                  clientType(client),
                  list(client.allowedGrants),
                  list(client.allowedScopes),
                  formatDate(client.createdAt),
                  client.revokedAt === null ? 'active' : 'revoked',
                ]),
              ),
            )
          }
          if (cursor !== null) session.out.line(`More clients: sp-oauth clients list --cursor ${cursor}`)
        }),
    )
  examples(command, [
    'sp-oauth clients list',
    'sp-oauth clients list --search erp --include-revoked',
    'sp-oauth clients list --all --json',
  ])
}

function registerShow(clients: Command, execute: Execute): void {
  const command = clients
    .command('show')
    .description('one client, revoked or not (never its secret)')
    .argument('<id>', 'the client id')
    .action((id: string, _options: object, command: Command) =>
      execute(command, async (session) => {
        const server = await session.server()
        const client = await findClient(server, id)
        session.out.document({ client: clientJson(client) })
        session.out.line(clientDetails(client))
      }),
    )
  examples(command, ['sp-oauth clients show 3f1c2a4e-…', 'sp-oauth clients show legacy-erp --json'])
}

function registerUpdate(clients: Command, execute: Execute): void {
  const command = clients
    .command('update')
    .description(
      "change a client's metadata (not its id, kind or secret): only the options given change, checked like a new client",
    )
    .argument('<id>', 'the client id')
  addClientOptions(command, 'update')
  command
    .option('--add-redirect-uri <uri>', 'add a redirect URI (repeatable)', collect)
    .option('--remove-redirect-uri <uri>', 'remove a redirect URI (repeatable)', collect)
    .action(
      (
        id: string,
        flags: ClientFlags & { addRedirectUri?: string[]; removeRedirectUri?: string[] },
        command: Command,
      ) =>
        execute(command, async (session) => {
          const adding = flags.addRedirectUri ?? []
          const removing = flags.removeRedirectUri ?? []
          if (flags.redirectUri !== undefined && adding.length + removing.length > 0) {
            throw new CliError(
              'usage',
              '--redirect-uri replaces every redirect URI: use it alone, or --add-redirect-uri/--remove-redirect-uri',
            )
          }
          const patch = { ...clientPatchFromFlags(flags) }
          if (Object.keys(patch).length === 0 && adding.length + removing.length === 0) {
            throw new CliError(
              'usage',
              'nothing to change: give at least one option, e.g. --name or --add-redirect-uri (see sp-oauth clients update --help)',
            )
          }
          const server = await session.server()
          const before = await findClient(server, id)
          if (before.revokedAt !== null) {
            throw new CliError('invalid_input', `client ${id} is revoked: a revoked client cannot be changed`)
          }
          if (adding.length + removing.length > 0) {
            const missing = removing.filter((uri) => !before.redirectUris.includes(uri))
            if (missing.length > 0) {
              throw new CliError(
                'invalid_input',
                `--remove-redirect-uri: client ${id} has no redirect URI ${missing.join(', ')}`,
              )
            }
            const redirectUris = [...before.redirectUris.filter((uri) => !removing.includes(uri)), ...adding]
            Object.assign(patch, { redirectUris: [...new Set(redirectUris)] })
          }
          const after = await asClientInputError('invalid change', () => server.updateClient(id, patch))
          const changed = changedFields(before, after)
          session.out.document({ client: clientJson(after), changed })
          session.out.line(
            changed.length === 0
              ? `Client ${id} already had these values: nothing changed.`
              : `Updated client ${id} (${changed.join(', ')}):`,
          )
          if (changed.length > 0) session.out.line(clientDetails(after))
        }),
    )
  examples(command, [
    'sp-oauth clients update 3f1c2a4e-… --name "ERP Connector (EU)"',
    'sp-oauth clients update 3f1c2a4e-… --add-redirect-uri https://erp.example.com/cb2 --remove-redirect-uri https://old.example.com/cb',
    'sp-oauth clients update 3f1c2a4e-… --scope "invoices.read" --token-endpoint-auth-method client_secret_post',
  ])
}

function registerRotateSecret(clients: Command, execute: Execute): void {
  const command = clients
    .command('rotate-secret')
    .description(
      'give a confidential client a new secret, shown once; the old one stops working at once. Needs the hash key',
    )
    .argument('<id>', 'the client id')
    .action((id: string, _options: object, command: Command) =>
      execute(command, async (session) => {
        const hashKeys = session.requireHashKeys()
        const server = await session.server({ hashKeys })
        await activeClient(server, id, 'rotate its secret')
        const { plaintextSecret } = await server.rotateClientSecret(id)
        session.out.document({ clientId: id, secret: plaintextSecret })
        session.out.line(`New secret for client ${id}; the old one no longer works.`)
        printSecret(session, plaintextSecret)
      }),
    )
  examples(command, [
    'sp-oauth clients rotate-secret 3f1c2a4e-…',
    'sp-oauth clients rotate-secret legacy-erp --json',
  ])
}

function registerRevoke(clients: Command, execute: Execute): void {
  const command = clients
    .command('revoke')
    .description(
      'revoke a client: it can no longer authenticate or be authorized; its codes, tokens and consents are revoked with it',
    )
    .argument('<id>', 'the client id')
    .action((id: string, _options: object, command: Command) =>
      execute(command, async (session) => {
        const server = await session.server()
        await findClient(server, id)
        const revoked = await server.revokeClient(id)
        const client = await findClient(server, id)
        session.out.document({ client: clientJson(client), revoked })
        session.out.line(
          revoked
            ? `Revoked client ${id} (${client.name}) with its codes, tokens and consents.`
            : `Client ${id} (${client.name}) was already revoked (since ${formatDate(client.revokedAt)}); what it held is revoked too.`,
        )
      }),
    )
  examples(command, ['sp-oauth clients revoke 3f1c2a4e-…', 'sp-oauth clients revoke legacy-erp --json'])
}

/** The client, which must be active and confidential to have a secret. */
async function activeClient(server: AuthorizationServer, id: string, what: string): Promise<Client> {
  const client = await findClient(server, id)
  if (client.revokedAt !== null) {
    throw new CliError('invalid_input', `client ${id} is revoked: cannot ${what}`)
  }
  if (!client.confidential) {
    throw new CliError('invalid_input', `client ${id} is public: it has no secret to rotate`)
  }
  return client
}

/** The secret, once, under its warning (human output; `--json` carries it in the document). */
export function printSecret(session: Session, secret: string | null): void {
  if (secret === null) {
    session.out.line('A public client: no secret.')
    return
  }
  session.out.line('')
  session.out.line(SECRET_WARNING)
  session.out.line(`  ${secret}`)
}

function changedFields(before: Client, after: Client): string[] {
  return CLIENT_PATCH_FIELDS.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
}
