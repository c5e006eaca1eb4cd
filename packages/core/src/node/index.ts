export { createNodeSecretHasher } from './node-secret-hasher.js'
