// The two demo clients, made on the first start and found again on the next ones (their ids are
// kept in the data directory; the core has no "list clients", and an application keeps its own
// registry of the clients it created anyway).
import { join } from 'node:path'
import { toClient } from '@sp-oauth/core'
import { readJsonFile, writeJsonFile } from './data-dir.mjs'

/**
 * The seed's confidential client. Its redirect URI is not on this server, so it outlives a PORT change.
 *
 * @type {import('@sp-oauth/core').ClientInput}
 */
export const ERP_CONNECTOR = {
  name: 'ERP Connector',
  redirectUris: ['https://client.example.com/callback'],
  allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
  allowedScopes: ['invoices.read', 'invoices.write'],
  confidential: true,
}

export const PARTNER_APP_NAME = 'Demo Partner App'

/**
 * @typedef {import('@sp-oauth/core').Client} Client
 * @typedef {object} DemoClients
 * @property {Client} erpConnector
 * @property {string | null} erpConnectorSecret its secret when it was created by this call, else `null`
 * @property {Client} partnerApp the public client whose redirect URI is this server's `/demo/callback`
 * @property {boolean} partnerAppCreated
 * @property {boolean} firstStart neither client existed
 */

/**
 * Finds the demo clients, creating the missing ones. The public client's redirect URI names this
 * server's address, which changes with PORT or SP_OAUTH_ISSUER; redirect URIs match exactly
 * (RFC 9700 §4.1.3) and a client's cannot be edited, so each address gets a public client of its
 * own (it has no secret, so making another costs nothing).
 *
 * @param {import('@sp-oauth/core').AuthorizationServer} server
 * @param {import('@sp-oauth/core').Storage} storage
 * @param {string} dataDir
 * @param {string} partnerRedirectUri
 * @returns {Promise<DemoClients>}
 */
export async function ensureDemoClients(server, storage, dataDir, partnerRedirectUri) {
  const file = join(dataDir, 'demo-clients.json')
  const saved = /** @type {{ erpConnector?: string, partnerApps?: Record<string, string> } | null} */ (
    readJsonFile(file)
  )
  /** @param {string | undefined} id */
  const find = async (id) => {
    if (typeof id !== 'string') return null
    const record = await storage.repositories.clients.findById(id)
    return record && record.revokedAt === null ? toClient(record) : null
  }

  let erpConnector = await find(saved?.erpConnector)
  let erpConnectorSecret = null
  const firstStart = erpConnector === null && Object.keys(saved?.partnerApps ?? {}).length === 0
  if (erpConnector === null) {
    const created = await server.createClient(ERP_CONNECTOR)
    erpConnector = created.client
    erpConnectorSecret = created.plaintextSecret
  }

  const partnerApps = { ...(saved?.partnerApps ?? {}) }
  let partnerApp = await find(partnerApps[partnerRedirectUri])
  const partnerAppCreated = partnerApp === null
  if (partnerApp === null) {
    const created = await server.createClient({
      name: PARTNER_APP_NAME,
      redirectUris: [partnerRedirectUri],
      allowedGrants: ['authorization_code', 'refresh_token'],
      allowedScopes: ['invoices.read', 'invoices.write'],
      confidential: false,
      // A public client's remembered consent shows the screen again by default: anyone can send
      // its client_id. This one's redirect URI is this server's own page, matched exactly (a
      // `web` client: no other loopback port), so only this site receives its codes and a
      // remembered consent may skip the screen (RFC 8252 §8.6).
      silentConsent: true,
    })
    partnerApp = created.client
    partnerApps[partnerRedirectUri] = partnerApp.id
  }

  if (erpConnectorSecret !== null || partnerAppCreated) {
    writeJsonFile(file, { erpConnector: erpConnector.id, partnerApps })
  }
  return { erpConnector, erpConnectorSecret, partnerApp, partnerAppCreated, firstStart }
}
