import type { AuthorizationServer, SigningAlgorithm, SigningKeyInfo } from '@sp-oauth/core'
import { type Command, Option } from 'commander'
import { CliError } from '../cli-error.js'
import { formatAge, formatDate, table } from '../output.js'
import { type Execute, examples, positiveInteger } from './command-support.js'

/** A signing key in `--json` output: never a private or public key part. */
export function signingKeyJson(key: SigningKeyInfo) {
  return { kid: key.kid, algorithm: key.algorithm, state: key.state, createdAt: key.createdAt.toISOString() }
}

/** `keys list|rotate|retire|compromised`: the signing keys of JWT access tokens. */
export function registerKeys(program: Command, execute: Execute): void {
  const keys = program
    .command('keys')
    .description('the signing keys of JWT access tokens: list, rotate, retire, mark compromised')
  examples(keys, ['sp-oauth keys list', 'sp-oauth keys rotate', 'sp-oauth keys compromised 0193…'])

  examples(
    keys
      .command('list')
      .description(
        'every signing key, newest first: kid, algorithm, state (active, previous, retired, compromised), age',
      )
      .action((_options: object, command: Command) =>
        execute(command, async (session) => {
          const server = await session.server()
          const all = await server.listSigningKeys()
          const now = Date.now()
          session.out.document({ keys: all.map(signingKeyJson) })
          if (all.length === 0) {
            session.out.line(
              'No signing key yet: the first JWT access token creates one (or create it now: sp-oauth keys rotate).',
            )
            return
          }
          session.out.line(
            table(
              ['KID', 'ALGORITHM', 'STATE', 'CREATED', 'AGE'],
              all.map((key) => [
                key.kid,
                key.algorithm,
                key.state,
                formatDate(key.createdAt),
                formatAge((now - key.createdAt.getTime()) / 1000),
              ]),
            ),
          )
        }),
      ),
    ['sp-oauth keys list', 'sp-oauth keys list --json'],
  )

  examples(
    keys
      .command('rotate')
      .description(
        'make a new active signing key; the active one becomes previous (it still verifies what it signed) and previous keys older than the access token lifetime are retired. Needs the hash key (private keys are stored encrypted under a key derived from it)',
      )
      .option(
        '--access-token-ttl-minutes <minutes>',
        "your servers' accessTokenTtlMinutes: previous keys older than this are retired (default 60, the core's default)",
        positiveInteger,
      )
      .addOption(
        new Option('--algorithm <algorithm>', "your servers' jwt.signingAlgorithm (default ES256)").choices([
          'ES256',
          'RS256',
          'EdDSA',
        ]),
      )
      .action((options: { accessTokenTtlMinutes?: number; algorithm?: SigningAlgorithm }, command: Command) =>
        execute(command, async (session) => {
          const hashKeys = session.requireHashKeys()
          const server = await session.server({
            hashKeys,
            ...(options.accessTokenTtlMinutes === undefined
              ? {}
              : { accessTokenTtlMinutes: options.accessTokenTtlMinutes }),
            ...(options.algorithm === undefined ? {} : { signingAlgorithm: options.algorithm }),
          })
          const key = await server.rotateSigningKey()
          const others = (await server.listSigningKeys(['previous'])).filter((other) => other.kid !== key.kid)
          session.out.document({ key: signingKeyJson(key), previous: others.map(signingKeyJson) })
          session.out.line(`New active signing key ${key.kid} (${key.algorithm}).`)
          session.out.line(
            others.length === 0
              ? 'No previous key verifies older tokens.'
              : `Still verifying the tokens they signed (previous): ${others.map((other) => other.kid).join(', ')}`,
          )
          session.out.line(
            'Running servers sign with the new key within jwt.signingKeyCacheSeconds (default 30 s).',
          )
        }),
      ),
    ['sp-oauth keys rotate', 'sp-oauth keys rotate --access-token-ttl-minutes 15 --algorithm RS256'],
  )

  examples(
    keys
      .command('retire')
      .description('retire a signing key: the tokens it signed stop verifying')
      .argument('<kid>', 'the key id (see sp-oauth keys list)')
      .action((kid: string, _options: object, command: Command) =>
        execute(command, async (session) => {
          const server = await session.server()
          const before = await findKey(server, kid)
          const key = await server.retireSigningKey(kid)
          session.out.document({ key: signingKeyJson(key), previousState: before.state })
          session.out.line(
            `Retired signing key ${key.kid} (was ${before.state}): the tokens it signed stop verifying.`,
          )
          if (before.state === 'active') {
            session.out.line('It was the active key: the next JWT access token gets a new one.')
          }
        }),
      ),
    ['sp-oauth keys retire 0193a4c2-…'],
  )

  examples(
    keys
      .command('compromised')
      .description(
        'mark a signing key compromised: the tokens it signed fail at once (on running servers within jwt.signingKeyCacheSeconds); an active key is replaced at the next issuance',
      )
      .argument('<kid>', 'the key id (see sp-oauth keys list)')
      .action((kid: string, _options: object, command: Command) =>
        execute(command, async (session) => {
          const server = await session.server()
          const before = await findKey(server, kid)
          const key = await server.markSigningKeyCompromised(kid)
          session.out.document({ key: signingKeyJson(key), previousState: before.state })
          session.out.line(
            `Marked signing key ${key.kid} compromised (was ${before.state}): the tokens it signed no longer verify.`,
          )
          if (before.state === 'active') {
            session.out.line(
              'It was the active key: the next JWT access token gets a new one (or now: sp-oauth keys rotate).',
            )
          }
        }),
      ),
    ['sp-oauth keys compromised 0193a4c2-…'],
  )
}

async function findKey(server: AuthorizationServer, kid: string): Promise<SigningKeyInfo> {
  const key = (await server.listSigningKeys()).find((candidate) => candidate.kid === kid)
  if (!key) {
    throw new CliError('not_found', `no signing key has the kid "${kid}": see sp-oauth keys list`, {
      details: { kid },
    })
  }
  return key
}
