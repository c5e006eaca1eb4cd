import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { runWalkthrough } from './main.mjs'

/** One run of the walkthrough, its log split into lines. */
let run
beforeAll(async () => {
  const lines = []
  const { events } = await runWalkthrough({ log: (line) => lines.push(...line.split('\n')) })
  run = { lines, events, text: lines.join('\n') }
})
const walk = () => run

const lineOf = (lines, label) => lines.find((line) => line.trimStart().startsWith(label))

describe('the seed walkthrough', () => {
  it('runs every step of the seed, in order', async () => {
    const { lines } = walk()
    const steps = lines.filter((line) => /^\d+b?\. /.test(line)).map((line) => line.split('.')[0])
    expect(steps).toEqual(['1', '2', '3', '4', '4b', '5', '6', '7', '7b', '8', '8b', '9', '10'])
    expect(lines.at(-1)).toMatch(/^Walkthrough complete/)
  })

  it('shows the client secret once, and nowhere else', async () => {
    const { lines, text } = walk()
    const secretLines = lines.filter((line) => line.trimStart().startsWith('client secret'))
    expect(secretLines).toHaveLength(1)
    const secret = secretLines[0].trim().split(/\s+/).at(-1)
    expect(secret).toMatch(/^[0-9a-f]{64}$/)
    expect(text.split(secret)).toHaveLength(2)
    expect(text).toContain('shown this once')
  })

  it('abbreviates tokens in the token response', async () => {
    const { text } = walk()
    expect(text).toMatch(/"access_token": "spoat_[^"]{6}…/)
    expect(text).toMatch(/"refresh_token": "sport_[^"]{6}…/)
    expect(text).toContain('"scope": "invoices.read"')
    expect(text).not.toMatch(/spoat_[A-Za-z0-9_-]{43}/)
  })

  it('allows the call with the scope and shows the principal', async () => {
    const { lines } = walk()
    expect(lineOf(lines, 'grantType')).toContain('authorization_code')
    expect(lineOf(lines, "can('invoices.read')")).toMatch(/true$/)
    expect(lineOf(lines, "can('invoices.write')")).toMatch(/false$/)
    expect(lineOf(lines, 'requireAllScopes')).toMatch(/ok$/)
  })

  it('refuses a missing scope with 403 insufficient_scope and a Bearer challenge', async () => {
    const { text } = walk()
    expect(text).toMatch(/error\s+insufficient_scope\n\s+status\s+403/)
    expect(text).toMatch(/WWW-Authenticate\s+Bearer realm="oauth", error="insufficient_scope"/)
  })

  it('detects refresh token reuse and revokes the family', async () => {
    const { text } = walk()
    expect(text).toMatch(/old refresh\s+refused: invalid_grant/)
    expect(text).toMatch(/new refresh\s+refused too: invalid_grant/)
    expect(text).toMatch(/new access\s+refused too: 401 invalid_token/)
  })

  it('refuses a revoked access token with 401 invalid_token', async () => {
    const { text } = walk()
    expect(text).toMatch(/revokeToken\s+\{ hint: 'access_token' \} → true\n\s+status\s+401/)
    expect(text).toMatch(/WWW-Authenticate\s+Bearer realm="oauth", error="invalid_token"/)
  })

  it('receives the events through the bus, in order', async () => {
    const { events } = walk()
    expect(events.map((event) => event.type)).toEqual([
      'OAuthClientCreated',
      'OAuthAuthorizationApproved',
      'OAuthAuthorizationApproved',
      'OAuthTokenIssued',
      'OAuthRefreshTokenRotated',
      'OAuthTokenIssued',
      'OAuthRefreshTokenRotated',
      'OAuthTokenIssued',
      'OAuthRefreshTokenReuseDetected',
      'OAuthAuthorizationApproved',
      'OAuthTokenIssued',
      'OAuthTokenRevoked',
    ])
  })

  it('exits 0 when run as a program', async () => {
    const main = fileURLToPath(new URL('./main.mjs', import.meta.url))
    const { stdout } = await promisify(execFile)(process.execPath, [main])
    expect(stdout).toContain('Walkthrough complete')
  })
})
