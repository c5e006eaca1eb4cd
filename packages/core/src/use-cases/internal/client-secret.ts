import type { SecretHash } from '../../ports/secret-hasher.js'
import type { ServerContext } from './server-context.js'

/** A new client secret: 64 hex characters (256 bits), and its hash. */
export async function generateClientSecret(
  context: ServerContext,
): Promise<{ readonly plaintext: string; readonly hashed: SecretHash }> {
  const plaintext = Array.from(context.random.bytes(32), (byte) => byte.toString(16).padStart(2, '0')).join(
    '',
  )
  return { plaintext, hashed: await context.hasher.hash(plaintext) }
}
