import {
  APPLICATION_TYPES,
  type ApplicationType,
  type ClientInput,
  type ClientPatch,
  GRANT_TYPES,
  type GrantType,
  OAuthError,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type TokenEndpointAuthMethod,
} from '@sp-oauth/core'
import { type Command, Option } from 'commander'
import { CliError } from '../cli-error.js'
import { withFlags } from '../client-view.js'
import { collect, collectWords, positiveInteger } from './command-support.js'

/** `default`: the value that puts a field back to its default (`null`), on `clients update`. */
const DEFAULT = 'default'

/** The client metadata options, as commander parses them. */
export interface ClientFlags {
  readonly name?: string
  readonly redirectUri?: readonly string[]
  readonly grant?: readonly string[]
  readonly scope?: readonly string[]
  readonly public?: boolean
  readonly applicationType?: string
  readonly silentConsent?: boolean
  readonly resourceServer?: boolean
  /** As given: which methods exist is the core's to say, and it names the field in its problem. */
  readonly tokenEndpointAuthMethod?: string
  readonly accessTokenTtlMinutes?: number | typeof DEFAULT
  readonly refreshTokenTtlDays?: number | typeof DEFAULT
}

/**
 * A lifetime, or `default`. Not `null`: commander turns a parser's `null` into `''`, which the
 * core would refuse as a lifetime.
 */
function lifetimeOrDefault(value: string): number | typeof DEFAULT {
  return value === DEFAULT ? DEFAULT : positiveInteger(value)
}

/** `default` is `null` to the core: the field's default. */
function orNull<T>(value: T | typeof DEFAULT): T | null {
  return value === DEFAULT ? null : value
}

/**
 * Adds the metadata options of `clients create`, `import` and `update`. `update` gets the negated
 * forms and `default` for the values that have one, and no `--public` (a client keeps its kind).
 */
export function addClientOptions(command: Command, mode: 'create' | 'update'): Command {
  const update = mode === 'update'
  if (!update) command.option('--name <name>', 'its name, shown on the consent screen (1-200 characters)')
  else command.option('--name <name>', 'a new name')
  command
    .option(
      '--redirect-uri <uri>',
      update
        ? 'replace the redirect URIs with these (repeat the option for several)'
        : 'a redirect URI, matched exactly (repeat the option for several; the authorization_code grant needs one)',
      collect,
    )
    .option(
      '--grant <grant>',
      `${update ? 'replace the grants with these' : 'a grant it may use'}: ${GRANT_TYPES.join(', ')} (repeat, or space- or comma-separate)`,
      collectWords,
    )
    .option(
      '--scope <scope>',
      `${update ? 'replace the scopes with these' : 'a scope it may be given'} (repeat, or space- or comma-separate)`,
      collectWords,
    )
  if (!update)
    command.option('--public', 'a public client (mobile, SPA, CLI): no secret (default: confidential)')
  command
    .option(
      '--application-type <type>',
      `${APPLICATION_TYPES.join(' or ')}; native: an app on the user's device, whose loopback redirect URIs match on any port (RFC 8252); default web`,
    )
    .option(
      '--silent-consent',
      'a remembered consent may skip the consent screen (default: yes for confidential, no for public clients)',
    )
    .option('--no-silent-consent', 'always show the consent screen')
    .option('--resource-server', 'may introspect tokens issued to other clients (confidential clients only)')
  if (update) command.option('--no-resource-server', 'may introspect only its own tokens')
  command
    .option(
      '--token-endpoint-auth-method <method>',
      `the one way it authenticates: ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')} (none: public clients only); default: either secret method${update ? '; "default" puts it back' : ''}`,
    )
    .addOption(
      new Option(
        '--access-token-ttl-minutes <minutes>',
        `its own access token lifetime, at most your servers' (SP_OAUTH_ACCESS_TOKEN_TTL_MINUTES, default 60); default: the server's${update ? '; "default" puts it back' : ''}`,
      ).argParser(lifetimeOrDefault),
    )
    .addOption(
      new Option(
        '--refresh-token-ttl-days <days>',
        `its own refresh token lifetime, at most your servers' (SP_OAUTH_REFRESH_TOKEN_TTL_DAYS, default 30); default: the server's${update ? '; "default" puts it back' : ''}`,
      ).argParser(lifetimeOrDefault),
    )
  return command
}

/** The `ClientInput` of `clients create` (and of a one-client import). */
export function clientInputFromFlags(flags: ClientFlags): ClientInput {
  return {
    name: flags.name ?? '',
    redirectUris: flags.redirectUri ?? [],
    allowedGrants: (flags.grant ?? []) as GrantType[],
    allowedScopes: flags.scope ?? [],
    confidential: flags.public !== true,
    ...optionalFields(flags),
  }
}

/** The fields of `patch` given on the command line; `redirectUris` as given (see `clients update`). */
export function clientPatchFromFlags(flags: ClientFlags): ClientPatch {
  return {
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.redirectUri === undefined ? {} : { redirectUris: flags.redirectUri }),
    ...(flags.grant === undefined ? {} : { allowedGrants: flags.grant as GrantType[] }),
    ...(flags.scope === undefined ? {} : { allowedScopes: flags.scope }),
    ...optionalFields(flags),
  }
}

function optionalFields(flags: ClientFlags) {
  return {
    ...(flags.applicationType === undefined
      ? {}
      : { applicationType: flags.applicationType as ApplicationType }),
    ...(flags.silentConsent === undefined ? {} : { silentConsent: flags.silentConsent }),
    ...(flags.resourceServer === undefined ? {} : { resourceServer: flags.resourceServer }),
    ...(flags.tokenEndpointAuthMethod === undefined
      ? {}
      : { tokenEndpointAuthMethod: orNull(flags.tokenEndpointAuthMethod as TokenEndpointAuthMethod) }),
    ...(flags.accessTokenTtlMinutes === undefined
      ? {}
      : { accessTokenTtlMinutes: orNull(flags.accessTokenTtlMinutes) }),
    ...(flags.refreshTokenTtlDays === undefined
      ? {}
      : { refreshTokenTtlDays: orNull(flags.refreshTokenTtlDays) }),
  }
}

/**
 * Runs a use case that checks client metadata: its `invalid_request` becomes invalid input naming
 * each field with the option that sets it.
 */
export async function asClientInputError<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_request') {
      throw new CliError('invalid_input', `${what}: ${withFlags(error.description ?? 'invalid')}`, {
        cause: error,
        details: { problems: (error.description ?? '').split('; ').filter(Boolean) },
      })
    }
    throw error
  }
}
