export { createNodeCrypto } from './create-node-crypto.js'
export { createNodeSecretHasher } from './node-secret-hasher.js'
export { nodeSha256Digest } from './node-sha256-digest.js'
