// `pnpm quickstart` (at the top) and `pnpm start` (here): reads the settings from the environment,
// starts the quickstart, and stops it cleanly, exit code 0, on Ctrl-C (SIGINT) or SIGTERM. A
// wrong setting ends it with one message and exit code 1.
import { ConfigurationError } from '@sp-oauth/core'
import { startQuickstart } from './quickstart.mjs'
import { QuickstartError, readSettings } from './settings.mjs'

/** @type {import('./quickstart.mjs').Quickstart} */
let quickstart
try {
  quickstart = await startQuickstart(readSettings(process.env))
} catch (error) {
  // Both say what to fix; their stack trace would only hide that.
  if (error instanceof QuickstartError || error instanceof ConfigurationError) {
    console.error(`Cannot start the quickstart:${error.message.startsWith('\n') ? '' : ' '}${error.message}`)
  } else {
    console.error('Cannot start the quickstart: unexpected error.')
    console.error(error)
  }
  process.exit(1)
}

let stopping = false
/** @param {NodeJS.Signals} signal */
async function stop(signal) {
  if (stopping) {
    // A second Ctrl-C: stop now.
    process.exit(130)
  }
  stopping = true
  console.log(`\n${signal}: stopping (closing connections, then the database)…`)
  try {
    await quickstart.close()
    console.log('Stopped.')
    process.exit(0)
  } catch (error) {
    console.error('Could not stop cleanly:', error)
    process.exit(1)
  }
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
