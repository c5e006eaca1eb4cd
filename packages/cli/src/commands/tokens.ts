import type { Command } from 'commander'
import { fields } from '../output.js'
import { type Execute, examples } from './command-support.js'
import { findClient } from './find-client.js'
import { asUserError } from './user-option.js'

/** `tokens revoke`: a user's tokens, without knowing them. */
export function registerTokens(program: Command, execute: Execute): void {
  const tokens = program.command('tokens').description("a user's tokens: revoke them without knowing them")
  examples(tokens, [
    'sp-oauth tokens revoke --user 42',
    'sp-oauth tokens revoke --user 42 --client 3f1c… --with-consent',
  ])

  examples(
    tokens
      .command('revoke')
      .description(
        'revoke a user\'s access and refresh tokens and unredeemed codes, of every client or one ("sign out everywhere", "disconnect")',
      )
      .requiredOption('--user <id>', 'the user id')
      .option('--client <id>', 'only the tokens of this client (default: every client)')
      .option('--with-consent', 'also forget the remembered consent(s), so the next authorization asks again')
      .action((options: { user: string; client?: string; withConsent?: boolean }, command: Command) =>
        execute(command, async (session) => {
          const server = await session.server()
          if (options.client !== undefined) await findClient(server, options.client)
          const revoked = await asUserError(() =>
            server.revokeUserTokens({
              user: options.user,
              ...(options.client === undefined ? {} : { clientId: options.client }),
              consent: options.withConsent === true ? 'revoke' : 'keep',
            }),
          )
          session.out.document({
            userId: options.user,
            clientId: options.client ?? null,
            revoked: {
              authorizationCodes: revoked.authorizationCodes,
              accessTokens: revoked.accessTokens,
              refreshTokens: revoked.refreshTokens,
              consents: revoked.consents,
            },
          })
          const scope = options.client === undefined ? 'every client' : `client ${options.client}`
          session.out.line(`Revoked what user ${options.user} held with ${scope}:`)
          session.out.line(
            fields([
              ['access tokens', String(revoked.accessTokens)],
              ['refresh tokens', String(revoked.refreshTokens)],
              ['authorization codes', String(revoked.authorizationCodes)],
              ['consents', options.withConsent === true ? String(revoked.consents) : 'kept'],
            ]),
          )
        }),
      ),
    [
      'sp-oauth tokens revoke --user 42',
      'sp-oauth tokens revoke --user 42 --client 3f1c2a4e-… --with-consent',
      'sp-oauth tokens revoke --user 42 --json',
    ],
  )
}
