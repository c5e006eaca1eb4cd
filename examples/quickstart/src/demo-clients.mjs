// The two demo clients, made on the first start and found again on the next ones by name, with
// the core's `listClients`: the database is the only registry, so the `sp-oauth` CLI sees them too.

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
 * @property {boolean} partnerAppUpdated this address's callback was added to its redirect URIs
 * @property {boolean} firstStart neither client existed
 */

/**
 * Finds the demo clients, creating the missing ones. The public client's redirect URI names this
 * server's address, which changes with PORT or SP_OAUTH_ISSUER; redirect URIs match exactly
 * (RFC 9700 §4.1.3), so a start on a new address adds that address's callback to it
 * (`updateClient`).
 *
 * @param {import('@sp-oauth/core').AuthorizationServer} server
 * @param {string} partnerRedirectUri
 * @returns {Promise<DemoClients>}
 */
export async function ensureDemoClients(server, partnerRedirectUri) {
  let erpConnector = await findByName(server, ERP_CONNECTOR.name)
  let partnerApp = await findByName(server, PARTNER_APP_NAME)
  const firstStart = erpConnector === null && partnerApp === null
  let erpConnectorSecret = null
  if (erpConnector === null) {
    const created = await server.createClient(ERP_CONNECTOR)
    erpConnector = created.client
    erpConnectorSecret = created.plaintextSecret
  }
  let partnerAppCreated = false
  let partnerAppUpdated = false
  if (partnerApp === null) {
    partnerApp = (
      await server.createClient({
        name: PARTNER_APP_NAME,
        redirectUris: [partnerRedirectUri],
        allowedGrants: ['authorization_code', 'refresh_token'],
        allowedScopes: ['invoices.read', 'invoices.write'],
        confidential: false,
        // A public client's remembered consent shows the screen again by default: anyone can send
        // its client_id. This one's redirect URIs are this server's own pages, matched exactly (a
        // `web` client: no other loopback port), so only this site receives its codes and a
        // remembered consent may skip the screen (RFC 8252 §8.6).
        silentConsent: true,
      })
    ).client
    partnerAppCreated = true
  } else if (!partnerApp.redirectUris.includes(partnerRedirectUri)) {
    partnerApp = await server.updateClient(partnerApp.id, {
      redirectUris: [...partnerApp.redirectUris, partnerRedirectUri],
    })
    partnerAppUpdated = true
  }
  return { erpConnector, erpConnectorSecret, partnerApp, partnerAppCreated, partnerAppUpdated, firstStart }
}

/**
 * The first registered client (not revoked) named exactly `name`, or `null`.
 *
 * @param {import('@sp-oauth/core').AuthorizationServer} server
 * @param {string} name
 */
async function findByName(server, name) {
  /** @type {string | null} */
  let cursor = null
  do {
    const page = await server.listClients({ search: name, cursor, limit: 100 })
    const found = page.clients.find((client) => client.name === name)
    if (found) return found
    cursor = page.nextCursor
  } while (cursor !== null)
  return null
}
