import { type Client, type ClientRecord, toClient } from '../domain/client.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { OAuthError } from '../errors/oauth-error.js'
import type { ClientChanges } from '../ports/client-repository.js'
import { isClientId } from './internal/client-id.js'
import { type ClientInput, type ClientPatch, checkClientInput } from './internal/client-input.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'

/** The fields `updateClient` changes, in the order `OAuthClientUpdated` reports them. */
export const CLIENT_PATCH_FIELDS = [
  'name',
  'redirectUris',
  'allowedGrants',
  'allowedScopes',
  'applicationType',
  'silentConsent',
  'resourceServer',
  'tokenEndpointAuthMethod',
  'accessTokenTtlMinutes',
  'refreshTokenTtlDays',
] as const satisfies readonly (keyof ClientPatch & keyof ClientChanges)[]

/**
 * Changes a client's metadata: the fields `patch` gives (`undefined` leaves a field as it is;
 * `null` puts a lifetime or the authentication method back to the default). The client as it
 * would be is checked like `createClient` checks a new one, so an update cannot leave a client
 * `createClient` would refuse. Its id, whether it is confidential and its secret never change
 * here (`rotateClientSecret` for the secret; a client that must become public or confidential is a
 * new client). Publishes `OAuthClientUpdated` with the names of the fields that changed; a patch
 * that changes nothing writes nothing.
 *
 * What changes applies from the next request: tokens already issued keep their scopes and
 * lifetimes until they expire, but a refresh only ever yields scopes the client is still allowed,
 * and a removed grant type or redirect URI is refused from then on.
 *
 * @throws OAuthError `invalid_request` naming each bad field, or `clientId` when no client has
 *   that id or it is revoked (a revoked client stays as it was)
 */
export async function updateClient(
  context: ServerContext,
  clientId: string,
  patch: ClientPatch,
): Promise<Client> {
  const repository = context.storage.repositories.clients
  if (!repository.update) throw missingMethod('update', 'updateClient')
  const problems = patchProblems(patch)
  for (let attempt = 1; ; attempt++) {
    const current = isClientId(clientId) ? await repository.findById(clientId) : null
    if (current === null) throw OAuthError.invalidRequest({ description: 'clientId: no client has this id' })
    if (current.revokedAt !== null) throw revoked()
    if (problems.length > 0) throw OAuthError.invalidRequest({ description: problems.join('; ') })
    const changes = changesOf(context, current, patch)
    const changed = Object.keys(changes)
    if (changed.length === 0) return toClient(current)
    const now = laterThan(context.clock.now(), current.updatedAt)
    const updated = await commit(context, async (repositories, events) => {
      const record = await repositories.clients.update!(clientId, changes, now, current.updatedAt)
      if (record !== null) events.record({ type: 'OAuthClientUpdated', clientId, changed })
      return record
    })
    if (updated !== null) return toClient(updated)
    // Revoked, or changed by another update since it was read: read again and decide again.
    if (attempt === MAX_ATTEMPTS) {
      throw OAuthError.temporarilyUnavailable({
        description: 'The client keeps changing meanwhile; try again.',
      })
    }
  }
}

const MAX_ATTEMPTS = 3

/**
 * The changes `patch` makes to `current`, checked as `createClient` checks a new client. A lifetime
 * the patch leaves alone is not held to the server's ceiling: one lowered since would otherwise
 * refuse every unrelated change (tokens are capped at the server's lifetime anyway).
 */
function changesOf(context: ServerContext, current: ClientRecord, patch: ClientPatch): ClientChanges {
  const kept = {
    accessTokenTtlMinutes: patch.accessTokenTtlMinutes === undefined ? null : patch.accessTokenTtlMinutes,
    refreshTokenTtlDays: patch.refreshTokenTtlDays === undefined ? null : patch.refreshTokenTtlDays,
  }
  const checked = checkClientInput(context, { ...inputOf(current), ...definedFields(patch), ...kept })
  const proposed: Record<string, unknown> = {
    ...checked,
    accessTokenTtlMinutes:
      patch.accessTokenTtlMinutes === undefined
        ? current.accessTokenTtlMinutes
        : checked.accessTokenTtlMinutes,
    refreshTokenTtlDays:
      patch.refreshTokenTtlDays === undefined ? current.refreshTokenTtlDays : checked.refreshTokenTtlDays,
  }
  const changes: Record<string, unknown> = {}
  for (const field of CLIENT_PATCH_FIELDS) {
    if (!sameValue(proposed[field], current[field])) changes[field] = proposed[field]
  }
  return changes as ClientChanges
}

/** `now`, or a millisecond after `previous` when the clock has not moved past it (a compare-and-set needs a change). */
function laterThan(now: Date, previous: Date): Date {
  return now.getTime() > previous.getTime() ? now : new Date(previous.getTime() + 1)
}

function missingMethod(method: string, useCase: string): ConfigurationError {
  return new ConfigurationError([
    `storage.repositories.clients.${method}: ${useCase} needs it; this storage's ClientRepository has none (see docs/ports.md)`,
  ])
}

function inputOf(record: ClientRecord): ClientInput {
  const input: Record<string, unknown> = { confidential: record.confidential }
  for (const field of CLIENT_PATCH_FIELDS) input[field] = record[field]
  return input as unknown as ClientInput
}

function patchProblems(patch: ClientPatch): string[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return ['patch: must be an object']
  return Object.keys(patch)
    .filter((field) => !(CLIENT_PATCH_FIELDS as readonly string[]).includes(field))
    .map((field) =>
      field === 'confidential'
        ? 'confidential: cannot change (register a new client of the other kind)'
        : `${field}: not something updateClient changes`,
    )
}

function definedFields(patch: ClientPatch): ClientPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined))
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((value, i) => value === b[i])
  return a === b
}

function revoked(): OAuthError {
  return OAuthError.invalidRequest({
    description: 'clientId: the client is revoked (a revoked client cannot change)',
  })
}
