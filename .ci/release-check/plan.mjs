// After `changeset version` in a copy of the repository: every public package at one version below
// 1.0.0 (the first release: 0.1.0), private packages untouched at 0.0.0. Prints the public ones.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const expected = process.argv[2] ?? '0.1.0'
const problems = []
const published = []
for (const group of ['packages', 'examples']) {
  for (const name of readdirSync(group)) {
    const path = join(group, name, 'package.json')
    if (!existsSync(path)) continue
    const manifest = JSON.parse(readFileSync(path, 'utf8'))
    if (manifest.private === true) {
      if (manifest.version !== '0.0.0')
        problems.push(`${manifest.name} is private but was versioned ${manifest.version}`)
    } else if (manifest.version !== expected) {
      problems.push(`${manifest.name} would be released as ${manifest.version}, not ${expected}`)
    } else {
      published.push(`${manifest.name}@${manifest.version}`)
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(published.sort().join('\n'))
