// `pnpm start`: the server on 127.0.0.1:$PORT, stopped cleanly by Ctrl-C or SIGTERM.
import { createServer } from 'node:http'
import { createApp } from './app.mjs'
import { readSettings } from './settings.mjs'

const settings = readSettings(process.env)
const { app, close } = await createApp({
  ...settings,
  // Yours: your user store. This example knows one user.
  users: { alice: process.env.DEMO_PASSWORD ?? 'alice' },
})
const http = createServer(
  { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 },
  app.callback(),
)
http.listen(settings.port, '127.0.0.1', () => {
  console.log(`Authorization server on ${settings.issuer} (Ctrl-C to stop)`)
  console.log(`Metadata: ${settings.issuer}/.well-known/oauth-authorization-server`)
})

let stopping = false
async function stop() {
  if (stopping) process.exit(130)
  stopping = true
  http.close()
  http.closeIdleConnections()
  await close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
