#!/usr/bin/env node
// The `sp-oauth` executable: runs the CLI on this process's arguments, streams and environment.
import { text } from 'node:stream/consumers'
import { main } from './main.js'

// A reader that goes away (`sp-oauth clients list --all | head`) must not end the command with a
// stack trace halfway through its work: what it still prints is dropped, and the database closes.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
}

const write =
  (stream: NodeJS.WriteStream) =>
  (chunk: string): void => {
    stream.write(chunk)
  }

const code = await main(process.argv.slice(2), {
  env: process.env,
  stdout: write(process.stdout),
  stderr: write(process.stderr),
  readStdin: () => text(process.stdin),
}).catch((error: unknown) => {
  process.stderr.write(
    `error: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  return 1
})

// Exit once both streams have flushed, even if a driver left a handle open.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()))
await new Promise<void>((resolve) => process.stderr.write('', () => resolve()))
process.exit(code)
