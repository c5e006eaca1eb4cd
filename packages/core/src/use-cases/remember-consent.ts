import { normalizeScopes } from '../domain/scope.js'
import type { ConsentQuery } from './has-consent.js'
import { commit } from './internal/commit.js'
import { mergeConsent } from './internal/merge-consent.js'
import type { ServerContext } from './internal/server-context.js'
import { userIdOf } from './internal/user-id.js'

/** Remembers consent for these scopes (added to any remembered before). */
export async function rememberConsent(
  context: ServerContext,
  input: ConsentQuery & { readonly claims?: Readonly<Record<string, unknown>> },
): Promise<void> {
  const now = context.clock.now()
  await commit(context, (repositories) =>
    mergeConsent(
      repositories,
      {
        userId: userIdOf(input.user),
        clientId: input.clientId,
        scopes: normalizeScopes(input.scopes),
        claims: input.claims ?? {},
      },
      now,
    ),
  )
}
