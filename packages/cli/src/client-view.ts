import type { Client } from '@sp-oauth/core'
import { fields, formatDate, list } from './output.js'

/** A client in `--json` output: every field of the core's `Client` (never a secret or its hash), dates as ISO strings. */
export interface ClientJson {
  readonly id: string
  readonly name: string
  readonly confidential: boolean
  readonly applicationType: string
  readonly redirectUris: readonly string[]
  readonly allowedGrants: readonly string[]
  readonly allowedScopes: readonly string[]
  readonly silentConsent: boolean
  readonly resourceServer: boolean
  readonly tokenEndpointAuthMethod: string | null
  readonly accessTokenTtlMinutes: number | null
  readonly refreshTokenTtlDays: number | null
  readonly createdAt: string
  readonly updatedAt: string
  readonly revokedAt: string | null
}

/** The JSON shape of a client: listed field by field, so nothing the core adds leaks by accident. */
export function clientJson(client: Client): ClientJson {
  return {
    id: client.id,
    name: client.name,
    confidential: client.confidential,
    applicationType: client.applicationType,
    redirectUris: client.redirectUris,
    allowedGrants: client.allowedGrants,
    allowedScopes: client.allowedScopes,
    silentConsent: client.silentConsent,
    resourceServer: client.resourceServer,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    accessTokenTtlMinutes: client.accessTokenTtlMinutes,
    refreshTokenTtlDays: client.refreshTokenTtlDays,
    createdAt: client.createdAt.toISOString(),
    updatedAt: client.updatedAt.toISOString(),
    revokedAt: client.revokedAt === null ? null : client.revokedAt.toISOString(),
  }
}

/** `confidential`, `public`, with `native` when it is one. */
export function clientType(client: Client): string {
  const kind = client.confidential ? 'confidential' : 'public'
  return client.applicationType === 'native' ? `${kind}, native` : kind
}

/** A client's fields, one per line, for `clients show` and after a change. */
export function clientDetails(client: Client): string {
  return fields([
    ['id', client.id],
    ['name', client.name],
    ['type', clientType(client)],
    ['redirect URIs', list(client.redirectUris)],
    ['grants', list(client.allowedGrants)],
    ['scopes', list(client.allowedScopes)],
    ['silent consent', client.silentConsent ? 'yes' : 'no'],
    ['resource server', client.resourceServer ? 'yes' : 'no'],
    ['authentication', client.tokenEndpointAuthMethod ?? 'client_secret_basic or client_secret_post'],
    [
      'access tokens',
      client.accessTokenTtlMinutes === null ? "the server's lifetime" : `${client.accessTokenTtlMinutes} min`,
    ],
    [
      'refresh tokens',
      client.refreshTokenTtlDays === null ? "the server's lifetime" : `${client.refreshTokenTtlDays} d`,
    ],
    ['created', formatDate(client.createdAt)],
    ['updated', formatDate(client.updatedAt)],
    ['status', client.revokedAt === null ? 'active' : `revoked ${formatDate(client.revokedAt)}`],
  ])
}

/** The option of `clients create`/`update`/`import` that sets each field the core names in its problems. */
const FLAGS: Readonly<Record<string, string>> = {
  id: '--id',
  secret: '--secret',
  name: '--name',
  redirectUris: '--redirect-uri',
  allowedGrants: '--grant',
  allowedScopes: '--scope',
  confidential: '--public',
  applicationType: '--application-type',
  silentConsent: '--silent-consent',
  resourceServer: '--resource-server',
  tokenEndpointAuthMethod: '--token-endpoint-auth-method',
  accessTokenTtlMinutes: '--access-token-ttl-minutes',
  refreshTokenTtlDays: '--refresh-token-ttl-days',
  createdAt: '--created-at',
  limit: '--limit',
  search: '--search',
  cursor: '--cursor',
}

/**
 * The core's problems (`field: message; field: message`) with the option that sets each field:
 * `allowedGrants (--grant): refresh_token needs authorization_code`.
 */
export function withFlags(description: string): string {
  return description
    .split('; ')
    .map((problem) =>
      problem.replace(/^([A-Za-z]+)((?:\[\d+\])?):/, (whole, field: string, index: string) => {
        const flag = FLAGS[field]
        return flag === undefined ? whole : `${field}${index} (${flag}):`
      }),
    )
    .join('; ')
}
