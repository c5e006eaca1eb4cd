// Set up before every test file of the suite: whatever the servers and the suite log, on the
// console or straight to stdout/stderr, is kept, every credential that crosses the wire through
// `fetch` (client secrets, codes, PKCE verifiers, access and refresh tokens) is collected, and
// after the file no credential may appear in what was logged. The servers run in this process, so
// their logs (the default `onError` line among them) are in what is kept.
import { formatWithOptions } from 'node:util'
import { afterAll, expect } from 'vitest'

/** The parameters that carry a credential, in a form body, a query or a redirect. */
const SECRET_PARAMETERS = ['client_secret', 'code', 'code_verifier', 'refresh_token', 'token', 'access_token']
/** Shorter values (a made-up `code=abc` in a bad-input test) would match by chance. */
const MIN_LENGTH = 12

const credentials = new Set<string>()
const logged: string[] = []

function collect(value: string | null | undefined): void {
  if (value && value.length >= MIN_LENGTH) credentials.add(value)
}

function collectParameters(parameters: URLSearchParams): void {
  for (const name of SECRET_PARAMETERS) for (const value of parameters.getAll(name)) collect(value)
}

function collectAuthorization(header: string | null): void {
  const [scheme = '', value = ''] = (header ?? '').split(' ')
  if (/^bearer$/i.test(scheme)) collect(value)
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    collect(decodeURIComponent(decoded.slice(decoded.indexOf(':') + 1).replace(/\+/g, ' ')))
  }
}

async function collectResponse(response: Response): Promise<void> {
  collectParameters(new URL(response.headers.get('location') ?? '', 'http://x').searchParams)
  if (!(response.headers.get('content-type') ?? '').includes('json')) return
  try {
    const body = (await response.clone().json()) as Record<string, unknown>
    for (const name of ['access_token', 'refresh_token', 'client_secret']) {
      if (typeof body[name] === 'string') collect(body[name])
    }
  } catch {
    // Not JSON after all: nothing to collect.
  }
}

const originalFetch = globalThis.fetch
globalThis.fetch = async (input, init) => {
  const request = new Request(input, init)
  collectAuthorization(request.headers.get('authorization'))
  collectParameters(new URL(request.url).searchParams)
  if (request.body) collectParameters(new URLSearchParams(await request.clone().text()))
  const response = await originalFetch(input, init)
  await collectResponse(response)
  return response
}

for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console)
  console[method] = (...args: unknown[]) => {
    logged.push(formatWithOptions({ depth: 8 }, ...args))
    original(...args)
  }
}
for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
    return original(chunk, ...rest)
  }) as typeof stream.write
}

/** The credentials that occur in `text`. */
export function leakedCredentials(known: Iterable<string>, text: string): string[] {
  return [...known].filter((credential) => text.includes(credential))
}

/** For the suite's own test of this scan: what it collected so far. */
export function collectedCredentials(): string[] {
  return [...credentials]
}

afterAll(() => {
  const leaked = leakedCredentials(credentials, logged.join('\n'))
  expect(leaked, 'credentials found in what the servers and tests logged').toEqual([])
})
