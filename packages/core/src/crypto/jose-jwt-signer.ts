import { type CryptoKey, decodeProtectedHeader, importJWK, type JWK, jwtVerify, SignJWT } from 'jose'
import type { SigningKeyRecord } from '../domain/signing-key.js'
import type { JwtSigner, VerifiedJwt } from '../ports/jwt-signer.js'

/**
 * JWT access tokens through `jose`. Imported keys are kept per `kid` (key material never changes for
 * a `kid`, only its state, which the caller checks), so each token costs one sign or one verify.
 */
export function createJoseJwtSigner(): JwtSigner {
  const privateKeys = new Map<string, Promise<CryptoKey | Uint8Array>>()
  const publicKeys = new Map<string, Promise<CryptoKey | Uint8Array>>()

  function imported(
    cache: Map<string, Promise<CryptoKey | Uint8Array>>,
    key: SigningKeyRecord,
    jwk: Readonly<Record<string, unknown>>,
  ): Promise<CryptoKey | Uint8Array> {
    let found = cache.get(key.kid)
    if (!found) {
      found = importJWK(jwk as JWK, key.algorithm)
      // A failed import must not stick: drop it so the next call tries again.
      found.catch(() => cache.delete(key.kid))
      cache.set(key.kid, found)
    }
    return found
  }

  return {
    async sign(payload, key): Promise<string> {
      const privateKey = await imported(privateKeys, key, key.privateJwk)
      return new SignJWT({ ...payload })
        .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' })
        .sign(privateKey)
    },
    readKid(jwt): string | null {
      try {
        const { kid } = decodeProtectedHeader(jwt)
        return typeof kid === 'string' ? kid : null
      } catch {
        return null
      }
    },
    async verify(jwt, key, options): Promise<VerifiedJwt> {
      const publicKey = await imported(publicKeys, key, key.publicJwk)
      const { payload } = await jwtVerify(jwt, publicKey, {
        algorithms: [key.algorithm],
        issuer: options.issuer,
        typ: 'at+jwt',
        currentDate: options.now,
      })
      return { payload }
    },
  }
}
