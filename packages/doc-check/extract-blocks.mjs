// Writes every ```ts block of the README, the guide (docs/) and the package and example READMEs to
// blocks/<page>/, one module each, for `tsc` to check against the packages as built. A block whose
// first line is a file name comment (`// server.ts`) is written under that name, so the blocks of a
// tutorial can import each other (`./server.js`); the others are block-<n>.ts. A block that is
// deliberately a fragment (it uses names the prose or an earlier block set up) is preceded by the
// line `<!-- doc-check: fragment -->` and left out; both counts are printed. A block preceded by
// `<!-- doc-check: run -->` is also listed in blocks/runnable.json, for the test that runs it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const out = join(here, 'blocks')
const FRAGMENT = '<!-- doc-check: fragment -->'
const RUN = '<!-- doc-check: run -->'

function pages() {
  const list = [join(root, 'README.md')]
  for (const file of readdirSync(join(root, 'docs')).sort())
    if (file.endsWith('.md')) list.push(join(root, 'docs', file))
  for (const group of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const readme = join(root, group, name, 'README.md')
      if (existsSync(readme)) list.push(readme)
    }
  }
  return list
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out)
let checked = 0
let fragments = 0
const runnable = []
for (const page of pages()) {
  const lines = readFileSync(page, 'utf8').split('\n')
  const slug = relative(root, page)
    .replace(/\.md$/, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
  let index = 0
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```')
    const body = lines.slice(i + 1, end)
    const line = i + 1
    i = end
    index += 1
    let before = i
    for (before = line - 2; before >= 0 && lines[before].trim() === ''; before--);
    if (lines[before]?.trim() === FRAGMENT) {
      fragments += 1
      continue
    }
    checked += 1
    const named = /^\/\/ ([\w.-]+\.ts)$/.exec(body[0] ?? '')
    const directory = join(out, slug)
    mkdirSync(directory, { recursive: true })
    const header = `// ${relative(root, page)}:${line + 1} (block ${index})\n`
    const file = join(directory, named ? named[1] : `block-${index}.ts`)
    writeFileSync(file, `${header}${body.join('\n')}\nexport {}\n`)
    if (lines[before]?.trim() === RUN) {
      runnable.push({ block: relative(out, file), source: `${relative(root, page)}:${line + 1}` })
    }
  }
}
writeFileSync(join(out, 'runnable.json'), `${JSON.stringify(runnable, null, 2)}\n`)
console.log(
  `doc-check: ${checked} TypeScript blocks to check (${runnable.length} of them to run), ${fragments} marked as fragments`,
)
