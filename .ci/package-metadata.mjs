// Where every public package says it comes from, set in one place: the root package.json's
// `repository`, `homepage` and `bugs`. Each public package must carry them (`repository` with its
// `directory`), and its README must link with absolute addresses only: npm shows the README
// without the repository around it, so a relative link is dead there.
//
//   node .ci/package-metadata.mjs          check; exit 1 and list what is off
//   node .ci/package-metadata.mjs --write  set the fields and make the README links absolute
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, posix, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const write = process.argv.includes('--write')
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const { repository, bugs } = rootManifest
const web = repository.url.replace(/^git\+/, '').replace(/\.git$/, '')
const branch = 'main'

/** What a public package's manifest must say about where it comes from. */
function expectedFields(directory) {
  return {
    repository: { type: 'git', url: repository.url, directory },
    homepage: `${web}/tree/${branch}/${directory}#readme`,
    bugs,
  }
}

/** `](target)` links that are neither absolute, nor anchors, nor mail. */
const RELATIVE_LINK = /\]\((?!https?:|#|mailto:)([^)\s]+)\)/g

/** The absolute address of `target`, a link written in `directory`'s README. */
function absolute(directory, target) {
  const [path, anchor] = target.split('#')
  const resolved = posix.normalize(posix.join(directory, path))
  const onDisk = join(root, resolved)
  const kind = existsSync(onDisk) && statSync(onDisk).isDirectory() ? 'tree' : 'blob'
  return `${web}/${kind}/${branch}/${resolved.replace(/\/$/, '')}${anchor === undefined ? '' : `#${anchor}`}`
}

const problems = []
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const manifestPath = join(root, 'packages', name, 'package.json')
  if (!existsSync(manifestPath)) continue
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  if (manifest.private === true) continue
  const directory = relative(root, dirname(manifestPath)).split('\\').join('/')
  const expected = expectedFields(directory)
  for (const [field, value] of Object.entries(expected)) {
    if (JSON.stringify(manifest[field]) === JSON.stringify(value)) continue
    if (write) manifest[field] = value
    else problems.push(`${manifest.name}: "${field}" should be ${JSON.stringify(value)}`)
  }
  if (write) writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)

  const readmePath = join(root, directory, 'README.md')
  if (!existsSync(readmePath)) {
    problems.push(`${manifest.name}: no README.md`)
    continue
  }
  const readme = readFileSync(readmePath, 'utf8')
  if (write) {
    writeFileSync(
      readmePath,
      readme.replace(RELATIVE_LINK, (_, target) => `](${absolute(directory, target)})`),
    )
  } else {
    for (const [, target] of readme.matchAll(RELATIVE_LINK)) {
      problems.push(`${directory}/README.md: relative link "${target}" (dead on npm; --write fixes it)`)
    }
  }
  // Links into this repository must name a file or folder that exists here.
  for (const [, url] of readFileSync(readmePath, 'utf8').matchAll(/\]\((https:[^)\s]+)\)/g)) {
    const own = [`${web}/blob/${branch}/`, `${web}/tree/${branch}/`].find((prefix) => url.startsWith(prefix))
    if (own === undefined) continue
    const path = url.slice(own.length).split('#')[0]
    if (!existsSync(join(root, path)))
      problems.push(`${directory}/README.md: links to ${path}, which does not exist`)
  }
}

if (problems.length > 0) {
  console.error(
    `Package metadata: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`,
  )
  process.exit(1)
}
console.log(write ? 'Package metadata written.' : 'Package metadata: every public package in order.')
