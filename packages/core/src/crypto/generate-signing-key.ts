import { exportJWK, generateKeyPair } from 'jose'
import type { JsonWebKey, SigningAlgorithm } from '../domain/signing-key.js'

/** A fresh key pair as JWKs. */
export async function generateSigningKeyPair(
  algorithm: SigningAlgorithm,
): Promise<{ readonly publicJwk: JsonWebKey; readonly privateJwk: JsonWebKey }> {
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true })
  return { publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) }
}
