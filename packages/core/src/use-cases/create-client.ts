import { type Client, type ClientRecord, toClient } from '../domain/client.js'
import { type ClientInput, checkClientInput } from './internal/client-input.js'
import { generateClientSecret } from './internal/client-secret.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'
import { storeNewClient } from './internal/store-new-client.js'

/** A new client, and its secret in plaintext: shown this once, never stored. */
export interface CreatedClient {
  readonly client: Client
  /** 64 hex characters for a confidential client; `null` for a public one. */
  readonly plaintextSecret: string | null
}

/**
 * Registers a client. Its id is a UUID; a confidential client gets a 64-hex-character secret,
 * returned only here and stored only as a hash.
 *
 * @throws OAuthError `invalid_request` listing every problem with the metadata
 */
export async function createClient(context: ServerContext, input: ClientInput): Promise<CreatedClient> {
  const checked = checkClientInput(context, input)
  const now = context.clock.now()
  const secret = checked.confidential ? await generateClientSecret(context) : null
  const record: ClientRecord = {
    id: context.random.uuid(),
    ...checked,
    secretHash: secret?.hashed.hash ?? null,
    secretHashKeyId: secret?.hashed.keyId ?? null,
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
  }
  await commit(context, (repositories, events) => storeNewClient(repositories, events, record))
  return { client: toClient(record), plaintextSecret: secret?.plaintext ?? null }
}
