// `pnpm register-client "ERP Connector" https://erp.example.com/callback`: registers a partner app
// and prints its credentials. The secret is shown this once: hand it to the partner now.
import { createApp } from './app.mjs'
import { readSettings } from './settings.mjs'

const [name, ...redirectUris] = process.argv.slice(2)
if (!name || redirectUris.length === 0) {
  console.error('usage: pnpm register-client <name> <redirect URI> [<redirect URI> ...]')
  process.exit(1)
}
const { server, close } = await createApp({ ...readSettings(process.env), users: {} })
try {
  const { client, plaintextSecret } = await server.createClient({
    name,
    redirectUris,
    allowedGrants: ['authorization_code', 'refresh_token'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  })
  console.log(`client_id      ${client.id}`)
  console.log(`client_secret  ${plaintextSecret}   (shown once)`)
} finally {
  await close()
}
