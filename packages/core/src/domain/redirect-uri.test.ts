import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matchRedirectUri, redirectUriProblem } from './redirect-uri.js'

// A registered https redirect URI with letters in host and path, so case variants differ.
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/)
const host = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'org', 'example'))
  .map(([labels, tld]) => [...labels, tld].join('.'))
const segment = fc.stringMatching(/^[a-z][a-z0-9._~-]{0,10}$/)
const registeredUri = fc
  .record({
    host,
    port: fc.option(fc.integer({ min: 1024, max: 65534 }), { nil: null }),
    segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
    trailingSlash: fc.boolean(),
    query: fc.option(fc.stringMatching(/^[a-z]{1,6}=[a-z0-9]{1,6}$/), { nil: null }),
  })
  .map((parts) => ({
    ...parts,
    path: `/${parts.segments.join('/')}${parts.trailingSlash ? '/' : ''}`,
  }))
  .map((parts) => ({
    ...parts,
    uri: `https://${parts.host}${parts.port === null ? '' : `:${parts.port}`}${parts.path}${
      parts.query === null ? '' : `?${parts.query}`
    }`,
  }))

type Registered = typeof registeredUri extends fc.Arbitrary<infer T> ? T : never

function build(parts: Registered, change: Partial<Omit<Registered, 'uri' | 'segments'>>): string {
  const p = { ...parts, ...change }
  return `https://${p.host}${p.port === null ? '' : `:${p.port}`}${p.path}${p.query === null ? '' : `?${p.query}`}`
}

/** Every way a requested redirect URI can be "almost" the registered one. */
const VARIANTS: Record<string, (parts: Registered) => string> = {
  'upper-case host': (p) => build(p, { host: p.host.toUpperCase() }),
  'upper-case first host letter': (p) => build(p, { host: p.host[0]!.toUpperCase() + p.host.slice(1) }),
  'upper-case path': (p) => build(p, { path: p.path.toUpperCase() }),
  'trailing slash added or removed': (p) =>
    build(p, { path: p.path.endsWith('/') ? p.path.slice(0, -1) : `${p.path}/` }),
  'different port': (p) => build(p, { port: p.port === null ? 8443 : p.port + 1 }),
  'explicit default port': (p) => build(p, { port: p.port === null ? 443 : null }),
  'query added': (p) => build(p, { query: p.query === null ? 'x=1' : `${p.query}&x=1` }),
  'query removed or changed': (p) => build(p, { query: p.query === null ? 'a=b' : null }),
  'empty query added': (p) => `${p.uri}?`,
  'fragment added': (p) => `${p.uri}#fragment`,
  'empty fragment added': (p) => `${p.uri}#`,
  'path prefix': (p) => build(p, { path: p.path.slice(0, -1) || '/' }),
  'path extended': (p) => build(p, { path: `${p.path}x` }),
  'path segment added': (p) => build(p, { path: `${p.path.replace(/\/$/, '')}/more` }),
  'sub-domain added': (p) => build(p, { host: `evil.${p.host}` }),
  'host suffix added': (p) => build(p, { host: `${p.host}.evil.example` }),
  'http instead of https': (p) => p.uri.replace(/^https:/, 'http:'),
  'user info added': (p) => p.uri.replace(/^https:\/\//, 'https://user@'),
  'percent-encoded path character': (p) =>
    build(p, { path: p.path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`) }),
  'trailing dot on host': (p) => build(p, { host: `${p.host}.` }),
  'surrounding white space': (p) => ` ${p.uri} `,
}

describe('matchRedirectUri', () => {
  it('a registered redirect URI matches itself, among others', () => {
    fc.assert(
      fc.property(registeredUri, registeredUri, (registered, other) => {
        expect(matchRedirectUri(registered.uri, [registered.uri])).toBe(true)
        expect(matchRedirectUri(registered.uri, [other.uri, registered.uri])).toBe(true)
      }),
    )
  })

  it('matches exactly only: no case, slash, port, query, fragment, prefix or extension variant of a registered URI matches', () => {
    fc.assert(
      fc.property(registeredUri, fc.constantFrom(...Object.keys(VARIANTS)), (registered, name) => {
        const variant = VARIANTS[name]!(registered)
        fc.pre(variant !== registered.uri)
        expect(matchRedirectUri(variant, [registered.uri])).toBe(false)
      }),
      { numRuns: 500 },
    )
  })

  it('matches if and only if the requested URI equals one registered, character for character', () => {
    fc.assert(
      fc.property(fc.array(registeredUri.map((r) => r.uri)), fc.string(), (registered, requested) => {
        expect(matchRedirectUri(requested, registered)).toBe(registered.includes(requested))
      }),
    )
  })

  it.each([
    ['http://127.0.0.1/callback', 'http://127.0.0.1:51234/callback'],
    ['http://127.0.0.1:8080/callback', 'http://127.0.0.1:51234/callback'],
    ['http://127.0.0.1:8080/callback', 'http://127.0.0.1/callback'],
    ['http://[::1]/cb?app=cli', 'http://[::1]:65535/cb?app=cli'],
    ['http://127.0.0.1', 'http://127.0.0.1:9000'],
  ])(
    'for a native client, a loopback IP URI %s matches %s: any port (RFC 8252 §7.3)',
    (registered, requested) => {
      expect(matchRedirectUri(requested, [registered], { applicationType: 'native' })).toBe(true)
    },
  )

  it.each([
    ['http://127.0.0.1/callback', 'http://127.0.0.1:51234/callback'],
    ['http://127.0.0.1:8080/callback', 'http://127.0.0.1:4444/callback'],
    ['http://[::1]/cb?app=cli', 'http://[::1]:65535/cb?app=cli'],
  ])(
    'for a web client (the default), a loopback IP URI %s does not match another port %s',
    (registered, requested) => {
      expect(matchRedirectUri(requested, [registered], { applicationType: 'web' })).toBe(false)
      expect(matchRedirectUri(requested, [registered])).toBe(false)
      expect(matchRedirectUri(registered, [registered])).toBe(true)
    },
  )

  it.each([
    ['a different path', 'http://127.0.0.1/callback', 'http://127.0.0.1:5000/callback2'],
    ['a different query', 'http://127.0.0.1/cb?a=1', 'http://127.0.0.1:5000/cb?a=2'],
    ['https', 'http://127.0.0.1/cb', 'https://127.0.0.1:5000/cb'],
    ['the other loopback address', 'http://127.0.0.1/cb', 'http://[::1]:5000/cb'],
    ['localhost (a name, not an IP)', 'http://localhost/cb', 'http://localhost:5000/cb'],
    ['a port out of range', 'http://127.0.0.1/cb', 'http://127.0.0.1:65536/cb'],
    ['a port with a leading zero', 'http://127.0.0.1/cb', 'http://127.0.0.1:0080/cb'],
    ['a host that only starts like loopback', 'http://127.0.0.1/cb', 'http://127.0.0.1.evil.example:5000/cb'],
    ['credentials before the host', 'http://127.0.0.1/cb', 'http://127.0.0.1:5000@evil.example/cb'],
  ])(
    'a loopback port variant with %s does not match, even for a native client',
    (_, registered, requested) => {
      expect(matchRedirectUri(requested, [registered], { applicationType: 'native' })).toBe(false)
    },
  )

  it('nothing matches when no redirect URI is registered', () => {
    expect(matchRedirectUri('https://client.example.com/callback', [])).toBe(false)
  })
})

describe('redirectUriProblem (registration)', () => {
  it.each([
    'https://client.example.com/callback',
    'https://client.example.com/callback?tenant=acme',
    'https://client.example.com:8443/cb',
  ])('accepts the https URI %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeNull()
  })

  it.each([
    'http://127.0.0.1/callback',
    'http://127.0.0.1:51234/callback',
    'http://localhost:3000/cb',
    'http://[::1]:8080/cb',
  ])('accepts plain http on the loopback host of %s (RFC 8252 §7.3)', (uri) => {
    expect(redirectUriProblem(uri)).toBeNull()
  })

  it.each([
    'http://client.example.com/callback',
    'http://localhost.evil.example/cb',
    'http://127.0.0.1.evil.example/cb',
    'http://10.0.0.1/cb',
  ])('refuses plain http on the non-loopback host of %s', (uri) => {
    expect(redirectUriProblem(uri)).toMatch(/https/)
  })

  it.each([
    'https://client.example.com/callback#',
    'https://client.example.com/callback#section',
    'com.example.app:/callback#x',
  ])('refuses the fragment in %s (RFC 6749 §3.1.2)', (uri) => {
    expect(redirectUriProblem(uri)).toMatch(/fragment/)
  })

  it.each(['/callback', 'callback', '//client.example.com/callback', '', 'https://', 'not-a-uri'])(
    'refuses the relative or malformed URI %j',
    (uri) => {
      expect(redirectUriProblem(uri)).toMatch(/absolute/)
    },
  )

  it.each([
    ['javascript:alert(1)', 'javascript'],
    ['JavaScript:alert(document.cookie)', 'javascript'],
    ['data:text/html,<script>alert(1)</script>', 'data'],
    ['vbscript:msgbox(1)', 'vbscript'],
    ['file:///etc/passwd', 'file'],
    ['blob:https://client.example.com/1234', 'blob'],
  ])('refuses the dangerous scheme of %s', (uri, scheme) => {
    expect(redirectUriProblem(uri)).toBe(`must not use the ${scheme} scheme`)
  })

  it.each([
    'com.example.app:/callback',
    'com.example.app:/oauth2redirect/example-provider',
    'io.acme.cli:cb',
  ])('accepts the private-use scheme with a dot of %s (RFC 8252 §7.1)', (uri) => {
    expect(redirectUriProblem(uri)).toBeNull()
  })

  it.each(['myapp:/callback', 'exampleapp://callback', 'ftp://client.example.com/cb'])(
    'refuses the private-use scheme without a dot of %s',
    (uri) => {
      expect(redirectUriProblem(uri)).toMatch(/reverse domain name/)
    },
  )

  it.each([
    'https://client.example.com/callback\n',
    'https://client.example.com/call\tback',
    'https://client.example.com/call\rback',
    'https://client.example.com/call\u0000back',
    ' https://client.example.com/callback',
    'https://client.example.com/callback ',
    'https://client.example.com/call back',
  ])('refuses the white space or control character in %j, which URL parsing would drop or encode', (uri) => {
    expect(redirectUriProblem(uri)).toMatch(/white space or control characters/)
  })

  it.each(['https://user:pass@client.example.com/cb', 'https://user@client.example.com/cb'])(
    'refuses credentials in %s',
    (uri) => {
      expect(redirectUriProblem(uri)).toMatch(/credentials/)
    },
  )
})
