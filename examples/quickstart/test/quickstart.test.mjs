import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bannerValue, clientCredentials, runMain, startInProcess, temporaryDir } from './helpers.mjs'

const HEX_SECRET = /\b[0-9a-f]{64}\b/g

// One data directory through several starts, in order: the first start creates the clients, the
// later ones find them again.
describe('the quickstart server on one data directory', () => {
  const data = temporaryDir()
  /** @type {Awaited<ReturnType<typeof startInProcess>>} */
  let first
  /** What the first start printed and issued, for the later starts to check. */
  const seen = { erpId: '', secret: '', partnerId: '', port: 0, accessToken: '' }

  beforeAll(async () => {
    first = await startInProcess({ dataDir: data.dir })
    seen.port = first.quickstart.port
  })
  afterAll(async () => {
    await first?.quickstart.close()
    data.remove()
  })

  it('prints on the first start the client ids, the secret once, the login and what to open', () => {
    const { lines, text, quickstart } = first
    seen.erpId = /** @type {string} */ (bannerValue(lines, 'client id', 'ERP Connector'))
    seen.secret = /** @type {string} */ (bannerValue(lines, 'client secret', 'ERP Connector'))
    seen.partnerId = /** @type {string} */ (bannerValue(lines, 'client id', 'Demo Partner App'))
    expect(seen.erpId).toMatch(/^[0-9a-f-]{36}$/)
    expect(seen.partnerId).toMatch(/^[0-9a-f-]{36}$/)
    expect(seen.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(text.match(HEX_SECRET)).toEqual([seen.secret])
    expect(text).toContain('shown this once')
    expect(text).toContain('Sign in as demo / demo')
    expect(text).toContain(`${quickstart.url}/demo`)
    expect(text).toContain(`${quickstart.url}/.well-known/oauth-authorization-server`)
    expect(text).toContain(
      `curl -s -u "${seen.erpId}:$ERP_CLIENT_SECRET" -d grant_type=client_credentials -d scope=invoices.read ${quickstart.url}/oauth/token`,
    )
    expect(bannerValue(lines, 'redirect URI', 'Demo Partner App')).toBe(`${quickstart.url}/demo/callback`)
    expect(lines.at(-1)).toBe(`Listening on ${quickstart.url} (Ctrl-C to stop).`)
  })

  it('refuses a second server on the same data directory while the first runs', async () => {
    await expect(startInProcess({ dataDir: data.dir })).rejects.toThrow(
      `the data directory ${data.dir} is in use by another process (process ${process.pid}: another quickstart`,
    )
  })

  it('keeps the generated keys in the data directory, readable by their owner only', () => {
    for (const file of ['hash-key', 'cookie-key']) {
      expect(statSync(join(data.dir, file)).mode & 0o777).toBe(0o600)
    }
  })

  it('serves the metadata document with the issuer', async () => {
    const response = await fetch(`${first.quickstart.url}/.well-known/oauth-authorization-server`)
    const metadata = await response.json()
    expect(metadata.issuer).toBe(first.quickstart.issuer)
    expect(metadata.token_endpoint).toBe(`${first.quickstart.url}/oauth/token`)
    expect(metadata.scopes_supported).toEqual(['invoices.read', 'invoices.write'])
  })

  it('issues a client_credentials token to the ERP Connector, as the printed curl does', async () => {
    const token = await clientCredentials(
      `${first.quickstart.url}/oauth/token`,
      seen.erpId,
      seen.secret,
      'invoices.read',
    )
    expect(token.status).toBe(200)
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'invoices.read' })
    seen.accessToken = token.body.access_token

    const api = await fetch(`${first.quickstart.url}/partner/invoices`, {
      headers: { authorization: `Bearer ${seen.accessToken}` },
    })
    expect(api.status).toBe(200)
    const body = await api.json()
    expect(body.invoices.length).toBeGreaterThan(0)
    expect(body.principal).toEqual({
      clientId: seen.erpId,
      userId: null,
      grantType: 'client_credentials',
      scopes: ['invoices.read'],
    })
  })

  it('refuses the protected API without a token (401) and without invoices.read (403)', async () => {
    const url = `${first.quickstart.url}/partner/invoices`
    const anonymous = await fetch(url)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="oauth"/)

    const writeOnly = await clientCredentials(
      `${first.quickstart.url}/oauth/token`,
      seen.erpId,
      seen.secret,
      'invoices.write',
    )
    const refused = await fetch(url, { headers: { authorization: `Bearer ${writeOnly.body.access_token}` } })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
  })

  it('refuses a wrong client secret with invalid_client', async () => {
    const token = await clientCredentials(
      `${first.quickstart.url}/oauth/token`,
      seen.erpId,
      'f'.repeat(64),
      'invoices.read',
    )
    expect(token.status).toBe(401)
    expect(token.body.error).toBe('invalid_client')
  })

  it('shows an unknown client as an HTML error page, never redirecting', async () => {
    const response = await fetch(
      `${first.quickstart.url}/oauth/authorize?response_type=code&client_id=00000000-0000-4000-8000-000000000000` +
        '&redirect_uri=https%3A%2F%2Fevil.example%2F&scope=invoices.read&state=%3Cscript%3E',
      { redirect: 'manual' },
    )
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(response.headers.get('location')).toBeNull()
    const page = await response.text()
    expect(page).toContain('invalid_request')
    expect(page).not.toContain('<script>')
  })

  it('sends a signed-out user to the login page, and back to the same authorize URL', async () => {
    const authorize =
      `/oauth/authorize?response_type=code&client_id=${seen.partnerId}&scope=invoices.read&state=s1` +
      '&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256'
    const response = await fetch(`${first.quickstart.url}${authorize}`, { redirect: 'manual' })
    expect(response.status).toBe(303)
    const login = new URL(/** @type {string} */ (response.headers.get('location')), first.quickstart.url)
    expect(login.pathname).toBe('/login')
    expect(login.searchParams.get('returnTo')).toBe(authorize)
  })

  it('refuses a login with the wrong password, a cross-site login, and a returnTo off the site', async () => {
    const post = (
      /** @type {Record<string, string>} */ fields,
      /** @type {Record<string, string>} */ headers = {},
    ) =>
      fetch(`${first.quickstart.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(fields),
      })
    const wrong = await post({ username: 'demo', password: 'nope', returnTo: '/demo' })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()
    expect(await wrong.text()).toContain('Wrong user name or password')

    const crossSite = await post({ username: 'demo', password: 'demo' }, { origin: 'https://evil.example' })
    expect(crossSite.status).toBe(403)

    const offSite = await post({ username: 'demo', password: 'demo', returnTo: '//evil.example/x' })
    expect(offSite.status).toBe(303)
    expect(offSite.headers.get('location')).toBe('/')
    const cookie = offSite.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^quickstart_session=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/)
  })

  it('prompt=login: a signed-in user is asked to sign in again, and the request goes on only after a new sign-in', async () => {
    const signIn = async () => {
      const response = await fetch(`${first.quickstart.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'demo', password: 'demo', returnTo: '/demo' }),
      })
      return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    }
    const get = (/** @type {string} */ path, /** @type {string} */ cookie) =>
      fetch(`${first.quickstart.url}${path}`, { redirect: 'manual', headers: { cookie } })
    const earlier = await signIn()
    const authorize =
      `/oauth/authorize?response_type=code&client_id=${seen.partnerId}&scope=invoices.read&state=s1` +
      '&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&prompt=login'
    const toLogin = await get(authorize, earlier)
    expect(toLogin.status).toBe(303)
    const login = new URL(/** @type {string} */ (toLogin.headers.get('location')), first.quickstart.url)
    expect(login.pathname).toBe('/login')
    expect(login.searchParams.get('reauthenticate')).toBe('1')
    const returnTo = /** @type {string} */ (login.searchParams.get('returnTo'))
    // The login page asks again although a session exists.
    const page = await get(`${login.pathname}${login.search}`, earlier)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('asks you to sign in again')
    // Back at the authorize URL with the old session: sent to sign in again, no consent, no code.
    const again = await get(returnTo, earlier)
    expect(again.status).toBe(303)
    expect(
      new URL(/** @type {string} */ (again.headers.get('location')), first.quickstart.url).pathname,
    ).toBe('/login')
    // After signing in again: the consent screen.
    const consent = await get(returnTo, await signIn())
    expect(consent.status).toBe(200)
    expect(await consent.text()).toContain('id="redirect-uri"')
  })

  it('on a second start prints no secret, keeps both clients, and still accepts the secret and tokens', async () => {
    await first.quickstart.close()
    const second = await startInProcess({ dataDir: data.dir, port: seen.port })
    try {
      const { lines, text, quickstart } = second
      expect(text.match(HEX_SECRET)).toBeNull()
      expect(text).toContain('shown at its creation only')
      expect(text).not.toContain('created now')
      expect(bannerValue(lines, 'client id', 'ERP Connector')).toBe(seen.erpId)
      expect(bannerValue(lines, 'client id', 'Demo Partner App')).toBe(seen.partnerId)
      expect(bannerValue(lines, 'hash key')).toMatch(/^kept in /)

      // The hash key survived the restart: the token issued before it and the secret still work.
      const api = await fetch(`${quickstart.url}/partner/invoices`, {
        headers: { authorization: `Bearer ${seen.accessToken}` },
      })
      expect(api.status).toBe(200)
      const token = await clientCredentials(
        `${quickstart.url}/oauth/token`,
        seen.erpId,
        seen.secret,
        'invoices.read',
      )
      expect(token.status).toBe(200)
    } finally {
      await second.quickstart.close()
    }
  })

  it('on another port keeps both clients and adds the new address to the partner app, found in the database alone', async () => {
    // No side file: the clients are found with listClients.
    expect(readdirSync(data.dir)).not.toContain('demo-clients.json')
    const moved = await startInProcess({ dataDir: data.dir, port: 0 })
    try {
      const { lines, text, quickstart } = moved
      expect(quickstart.port).not.toBe(seen.port)
      expect(text.match(HEX_SECRET)).toBeNull()
      expect(bannerValue(lines, 'client id', 'ERP Connector')).toBe(seen.erpId)
      expect(bannerValue(lines, 'client id', 'Demo Partner App')).toBe(seen.partnerId)
      expect(bannerValue(lines, 'redirect URI', 'Demo Partner App')?.split(' ')).toEqual([
        `http://127.0.0.1:${seen.port}/demo/callback`,
        `${quickstart.url}/demo/callback`,
      ])
      expect(text).toContain('PORT or SP_OAUTH_ISSUER changed')
    } finally {
      await moved.quickstart.close()
    }
  })

  it('runs as `node src/main.mjs` and stops cleanly on SIGTERM, a key generated earlier still accepted', async () => {
    // With SP_OAUTH_HASH_KEY set now, the key generated on the first start still verifies what it
    // hashed (the ERP Connector's secret).
    const run = runMain({ PORT: '0', SP_OAUTH_DATA_DIR: data.dir, SP_OAUTH_HASH_KEY: 'k'.repeat(40) })
    const url = await run.listening()
    expect(run.output().stdout).toContain('hash key        from SP_OAUTH_HASH_KEY')
    const token = await clientCredentials(`${url}/oauth/token`, seen.erpId, seen.secret, 'invoices.read')
    expect(token.status).toBe(200)
    run.child.kill('SIGTERM')
    const { code, stdout, stderr } = await run.exit()
    expect(stderr).toBe('')
    expect(stdout).toContain('SIGTERM: stopping')
    expect(stdout.trimEnd().endsWith('Stopped.')).toBe(true)
    expect(code).toBe(0)
  })
})

describe('bad settings stop it with one message and exit code 1', () => {
  const data = temporaryDir()
  afterAll(() => data.remove())

  /** @param {Record<string, string>} settings */
  const refused = async (settings) => {
    const result = await runMain({ SP_OAUTH_DATA_DIR: join(data.dir, 'data'), PORT: '0', ...settings }).exit()
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^Cannot start the quickstart:/)
    expect(result.stderr).not.toMatch(/\n\s+at /)
    return result.stderr.trim()
  }

  it('PORT that is not a port number', async () => {
    expect(await refused({ PORT: 'abc' })).toBe(
      'Cannot start the quickstart: PORT="abc" is not a port number: use a whole number from 1 to 65535.',
    )
    expect(await refused({ PORT: '70000' })).toContain('PORT="70000" is not a port number')
  })

  it('SP_OAUTH_HASH_KEY shorter than 32 characters', async () => {
    const message = await refused({ SP_OAUTH_HASH_KEY: 'too-short' })
    expect(message).toContain('SP_OAUTH_HASH_KEY is 9 characters long; it needs at least 32')
    expect(message.split('\n')).toHaveLength(1)
  })

  it('both at once, listed in one message', async () => {
    const message = await refused({ PORT: '-1', SP_OAUTH_HASH_KEY: 'x' })
    expect(message.split('\n')).toEqual([
      'Cannot start the quickstart:',
      expect.stringContaining('  - PORT="-1"'),
      expect.stringContaining('  - SP_OAUTH_HASH_KEY is 1 character long'),
    ])
  })

  it('a data directory that cannot be written', async () => {
    // A path under a regular file cannot be created, even by root.
    const message = await refused({ SP_OAUTH_DATA_DIR: join(fileURLToPath(import.meta.url), 'data') })
    expect(message).toContain('cannot be written (ENOTDIR): set SP_OAUTH_DATA_DIR to a directory')
  })

  it('an issuer the core refuses (ConfigurationError), naming SP_OAUTH_ISSUER', async () => {
    const message = await refused({ SP_OAUTH_ISSUER: 'http://auth.example.com' })
    expect(message).toBe(
      'Cannot start the quickstart: SP_OAUTH_ISSUER="http://auth.example.com" must use https ' +
        '(http only on a loopback host); unset it to use http://127.0.0.1:<port>.',
    )
  })
})
