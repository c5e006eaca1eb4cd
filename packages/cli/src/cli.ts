#!/usr/bin/env node
// The `sp-oauth` executable: runs the CLI on this process's arguments, streams and environment.
import { text } from 'node:stream/consumers'
import { main } from './main.js'

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
