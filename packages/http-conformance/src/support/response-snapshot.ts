import type { RawResponse } from '@sp-oauth/node-http/test-support'
import type { TestEnvironment } from './test-environment.js'

/** The headers whose differences matter to a client. */
export const COMPARED_HEADERS = [
  'content-type',
  'cache-control',
  'pragma',
  'www-authenticate',
  'location',
  'allow',
] as const

/** A response with everything random or environment-specific masked, for comparison across adapters. */
export interface ResponseSnapshot {
  readonly status: number
  readonly headers: Readonly<Partial<Record<(typeof COMPARED_HEADERS)[number], string>>>
  readonly body: unknown
}

/** Replaces what differs between two equally correct servers: port, client ids, tokens, codes, keys. */
export function masker(env: TestEnvironment): (text: string) => string {
  const port = new URL(env.origin).port
  const clientIds = Object.entries(env.clients).map(
    ([name, client]) => [client.id, `<client:${name}>`] as const,
  )
  return (text) => {
    let masked = text
      .replaceAll(`127.0.0.1:${port}`, '127.0.0.1:<port>')
      .replaceAll(`127.0.0.1%3A${port}`, '127.0.0.1%3A<port>')
    for (const [id, name] of clientIds) masked = masked.replaceAll(id, name)
    return masked
      .replace(/spoat_[A-Za-z0-9_-]+/g, 'spoat_<random>')
      .replace(/sport_[A-Za-z0-9_-]+/g, 'sport_<random>')
      .replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, '<jwt>')
      .replace(/([?&]code=)[^&"]+/g, '$1<code>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/("(?:kid|x|y|n|e)":")[^"]+"/g, '$1<key>"')
  }
}

export function snapshotOf(response: RawResponse, mask: (text: string) => string): ResponseSnapshot {
  const headers: Partial<Record<(typeof COMPARED_HEADERS)[number], string>> = {}
  for (const name of COMPARED_HEADERS) {
    const value = response.headers[name]
    if (value !== undefined) headers[name] = mask(value)
  }
  const text = mask(response.text)
  let body: unknown = text
  try {
    body = text === '' ? '' : JSON.parse(text)
  } catch {
    // Not JSON: compared as text.
  }
  return { status: response.status, headers, body }
}
