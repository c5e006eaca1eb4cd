// The login and consent pages of examples/express-postgres, trimmed: the soak reads the same
// forms a browser would, so the pages must carry the same fields.

/** @param {string} text */
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** @param {string} returnTo @param {{ failed: boolean }} state */
export function loginPage(returnTo, { failed }) {
  return `<!doctype html><title>Sign in</title>
<h1>Sign in</h1>${failed ? '<p role="alert">Wrong user name or password.</p>' : ''}
<form method="post" action="/login">
  <input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
  <label>User <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button>Sign in</button>
</form>`
}

/** @param {import('@sp-oauth/express').ConsentPrompt} prompt */
export function consentPage({ request, ticket, approvePath, denyPath, redirectUri }) {
  const hidden = `<input type="hidden" name="ticket" value="${escapeHtml(ticket)}">`
  return `<!doctype html><title>Allow access?</title>
<h1>${escapeHtml(request.client.name)} asks to ${escapeHtml(request.scopes.join(', '))}</h1>
<p>You will be sent back to ${escapeHtml(redirectUri)}.</p>
<form method="post" action="${escapeHtml(approvePath)}">${hidden}
  <label><input type="checkbox" name="remember" value="on"> Remember my choice</label>
  <button>Allow</button>
</form>
<form method="post" action="${escapeHtml(denyPath)}">${hidden}<button>Deny</button></form>`
}

/**
 * `value` when it is a path on this site, else `/` (as in the example: no open redirect).
 * @param {unknown} value
 */
export function localPath(value) {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/'
  const base = 'http://login.invalid'
  const url = new URL(value, base)
  return url.origin === base ? `${url.pathname}${url.search}` : '/'
}
