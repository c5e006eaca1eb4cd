import { normalizeScopes } from '../../domain/scope.js'
import type { Repositories } from '../../ports/unit-of-work.js'

/** Adds scopes (and claims) to what the user already consented to for the client. */
export async function mergeConsent(
  repositories: Repositories,
  consent: {
    readonly userId: string
    readonly clientId: string
    readonly scopes: readonly string[]
    readonly claims: Readonly<Record<string, unknown>>
  },
  now: Date,
): Promise<void> {
  const existing = await repositories.consents.find(consent.userId, consent.clientId)
  await repositories.consents.upsert({
    userId: consent.userId,
    clientId: consent.clientId,
    scopes: normalizeScopes([...(existing?.scopes ?? []), ...consent.scopes]),
    claims: { ...(existing?.claims ?? {}), ...consent.claims },
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  })
}
