import { OAuthError } from '../errors/oauth-error.js'
import { isClientId } from './internal/client-id.js'
import { generateClientSecret } from './internal/client-secret.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'

/**
 * Gives a confidential client a new secret, returned once; the old one stops working at once.
 *
 * @throws OAuthError `invalid_request` when the client is unknown, revoked or public
 */
export async function rotateClientSecret(
  context: ServerContext,
  clientId: string,
): Promise<{ readonly plaintextSecret: string }> {
  const client = isClientId(clientId) ? await context.storage.repositories.clients.findById(clientId) : null
  if (!client || client.revokedAt || !client.confidential) {
    throw OAuthError.invalidRequest({
      description: 'Only an active confidential client has a secret to rotate.',
    })
  }
  const secret = await generateClientSecret(context)
  const now = context.clock.now()
  await commit(context, async (repositories, events) => {
    const updated = await repositories.clients.updateSecret(
      clientId,
      { secretHash: secret.hashed.hash, secretHashKeyId: secret.hashed.keyId },
      now,
    )
    if (!updated) throw OAuthError.invalidRequest({ description: 'The client was revoked meanwhile.' })
    events.record({ type: 'OAuthClientSecretRotated', clientId })
  })
  return { plaintextSecret: secret.plaintext }
}
