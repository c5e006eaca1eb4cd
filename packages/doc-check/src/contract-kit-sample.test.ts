// docs/ports.md shows how to run the storage contract kit on your own storage, with the in-memory
// storage as the example. Importing that block (extract-blocks.mjs wrote it to blocks/ before the
// tests) defines its tests here, so the sample runs as written.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

await import(
  pathToFileURL(join(import.meta.dirname, '..', 'blocks', 'docs-ports', 'my-storage.contract.test.ts')).href
)
