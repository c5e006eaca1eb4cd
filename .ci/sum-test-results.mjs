// Adds up the JSON reports vitest wrote under CI into one closing line, and fails when a package
// that has tests wrote no report (it did not run) or when nothing ran at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

let passed = 0
let failed = 0
let skipped = 0
const missing = []
for (const group of ['packages', 'examples']) {
  if (!existsSync(group)) continue
  for (const name of readdirSync(group)) {
    const dir = join(group, name)
    const manifest = join(dir, 'package.json')
    if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue
    const report = join(dir, 'test-results.json')
    if (!existsSync(report)) {
      missing.push(dir)
      continue
    }
    const results = JSON.parse(readFileSync(report, 'utf8'))
    passed += results.numPassedTests
    failed += results.numFailedTests
    skipped += results.numPendingTests + (results.numTodoTests ?? 0)
  }
}
if (missing.length > 0) console.error(`no test report from: ${missing.join(', ')}`)
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0)
