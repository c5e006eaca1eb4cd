import { createHash } from 'node:crypto'
import type { Sha256Digest } from '../ports/sha256-digest.js'

/** SHA-256 through `node:crypto`: synchronous, no thread-pool hop; the same digests as Web Crypto's. */
export const nodeSha256Digest: Sha256Digest = {
  base64Url: async (input: string): Promise<string> =>
    createHash('sha256').update(input, 'utf8').digest('base64url'),
}
