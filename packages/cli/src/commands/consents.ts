import type { Command } from 'commander'
import { CliError } from '../cli-error.js'
import { formatDate, list, table } from '../output.js'
import { type Execute, examples } from './command-support.js'
import { asUserError } from './user-option.js'

/** `consents list|revoke`: a user's remembered consents. */
export function registerConsents(program: Command, execute: Execute): void {
  const consents = program.command('consents').description("a user's remembered consents: list, revoke")
  examples(consents, [
    'sp-oauth consents list --user 42',
    'sp-oauth consents revoke --user 42 --client 3f1c…',
  ])

  examples(
    consents
      .command('list')
      .description('the clients a user has remembered consent for, with the scopes')
      .requiredOption('--user <id>', 'the user id, as your application gives it to sp-oauth')
      .action((options: { user: string }, command: Command) =>
        execute(command, async (session) => {
          const server = await session.server()
          const connected = await asUserError(() => server.listConsents(options.user))
          session.out.document({
            userId: options.user,
            consents: connected.map((consent) => ({
              clientId: consent.clientId,
              clientName: consent.clientName,
              scopes: consent.scopes,
              createdAt: consent.createdAt.toISOString(),
              updatedAt: consent.updatedAt.toISOString(),
            })),
          })
          if (connected.length === 0) {
            session.out.line(`User ${options.user} has no remembered consent.`)
            return
          }
          session.out.line(
            table(
              ['CLIENT ID', 'CLIENT NAME', 'SCOPES', 'SINCE', 'CHANGED'],
              connected.map((consent) => [
                consent.clientId,
                consent.clientName ?? '(client deleted)',
                list(consent.scopes),
                formatDate(consent.createdAt),
                formatDate(consent.updatedAt),
              ]),
            ),
          )
        }),
      ),
    ['sp-oauth consents list --user 42', 'sp-oauth consents list --user alice@example.com --json'],
  )

  examples(
    consents
      .command('revoke')
      .description(
        "forget a user's consent for a client, so the next authorization asks again (tokens already issued stay valid: see sp-oauth tokens revoke --with-consent)",
      )
      .requiredOption('--user <id>', 'the user id')
      .requiredOption('--client <id>', 'the client id')
      .action((options: { user: string; client: string }, command: Command) =>
        execute(command, async (session) => {
          const server = await session.server()
          const revoked = await asUserError(() =>
            server.revokeConsent({ user: options.user, clientId: options.client }),
          )
          if (!revoked) {
            throw new CliError(
              'not_found',
              `user ${options.user} has no remembered consent for client ${options.client}: see sp-oauth consents list --user ${options.user}`,
              { details: { userId: options.user, clientId: options.client } },
            )
          }
          session.out.document({ userId: options.user, clientId: options.client, revoked: true })
          session.out.line(
            `Revoked the consent of user ${options.user} for client ${options.client}: the next authorization asks again.`,
          )
        }),
      ),
    ['sp-oauth consents revoke --user 42 --client 3f1c2a4e-…'],
  )
}
