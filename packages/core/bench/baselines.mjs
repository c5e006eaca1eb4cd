// The bare crypto the operations cannot avoid, as plain calls with nothing around them.
import { createHash, createHmac } from 'node:crypto'
import { generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { HASH_KEYS } from './setup.mjs'

const TOKEN = 'spoat_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CLAIMS = {
  iss: 'https://auth.example.com',
  sub: '6f1c2a4e-2b7d-4c1e-9a43-0d3f5b8e7c21',
  aud: 'https://auth.example.com',
  client_id: '6f1c2a4e-2b7d-4c1e-9a43-0d3f5b8e7c21',
  scope: 'invoices.read invoices.write',
  gty: 'client_credentials',
  jti: '0b6e9f1d-5c3a-4f7e-8d21-9a4b3c2d1e0f',
}

/** Each primitive as `{ label, short, batchSize, op }`, keys imported up front (as the core caches them). */
export async function createPrimitives() {
  const keyBytes = new TextEncoder().encode(HASH_KEYS.keys[0].secret)
  const hmacKey = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ])
  const encoder = new TextEncoder()
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const sign = () => {
    const iat = Math.floor(Date.now() / 1000)
    return new SignJWT({ ...CLAIMS, iat, exp: iat + 3600 })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
      .sign(privateKey)
  }
  const jwt = await sign()
  return {
    webHmac: {
      label: 'HMAC-SHA256, Web Crypto subtle.sign',
      short: 'HMAC',
      batchSize: 1000,
      op: () => crypto.subtle.sign('HMAC', hmacKey, encoder.encode(TOKEN)),
    },
    nodeHmac: {
      label: 'HMAC-SHA256, node:crypto createHmac',
      short: 'HMAC',
      batchSize: 10000,
      op: () => createHmac('sha256', keyBytes).update(TOKEN, 'utf8').digest(),
    },
    sha256: {
      label: 'SHA-256, Web Crypto subtle.digest (PKCE S256)',
      short: 'SHA-256',
      batchSize: 1000,
      op: () => crypto.subtle.digest('SHA-256', encoder.encode(VERIFIER)),
    },
    nodeSha256: {
      label: 'SHA-256, node:crypto createHash (PKCE S256)',
      short: 'SHA-256',
      batchSize: 10000,
      op: () => createHash('sha256').update(VERIFIER, 'utf8').digest('base64url'),
    },
    es256Sign: { label: 'ES256 sign, jose SignJWT', short: 'ES256 sign', batchSize: 250, op: sign },
    es256Verify: {
      label: 'ES256 verify, jose jwtVerify',
      short: 'ES256 verify',
      batchSize: 250,
      op: () => jwtVerify(jwt, publicKey, { algorithms: ['ES256'], typ: 'at+jwt' }),
    },
  }
}

/**
 * The bare crypto of one operation: `counts` maps primitive names to how many the operation needs;
 * they run one after the other, each awaited, as the operation runs them.
 */
export function bareCrypto(primitives, counts) {
  const parts = Object.entries(counts)
  const steps = parts.flatMap(([name, count]) => new Array(count).fill(primitives[name].op))
  const label = parts.map(([name, count]) => `${count}× ${primitives[name].short}`).join(' + ')
  return {
    label,
    op: async () => {
      for (const step of steps) await step()
    },
  }
}
