// HTML for the quickstart's pages. Everything that comes from a request, a client or the database
// goes through `html` tagged templates, which escape every interpolated value; only fragments built
// by `html` itself are inserted as they are.

/** An HTML fragment that is already escaped, so `html` inserts it unchanged. */
export class SafeHtml {
  /** @param {string} text */
  constructor(text) {
    this.text = text
  }

  toString() {
    return this.text
  }
}

/**
 * Escapes text for an HTML text node or a quoted attribute value.
 *
 * @param {unknown} value
 * @returns {string}
 */
export function escapeHtml(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

/**
 * A template tag: `html\`<p>${name}</p>\`` escapes `name`. Arrays are joined, `null`, `undefined`
 * and `false` are left out, and fragments made by `html` are kept as they are.
 *
 * @param {TemplateStringsArray} strings
 * @param {...unknown} values
 * @returns {SafeHtml}
 */
export function html(strings, ...values) {
  let text = strings[0] ?? ''
  values.forEach((value, index) => {
    text += render(value) + (strings[index + 1] ?? '')
  })
  return new SafeHtml(text)
}

/** @param {unknown} value @returns {string} */
function render(value) {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.text
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(value)
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
  h1 { font-size: 1.5rem; } code, pre { font: 0.9em ui-monospace, monospace; background: #f3f4f6; }
  pre { padding: 0.75rem; white-space: pre-wrap; overflow-wrap: anywhere; } code { padding: 0 0.2em; }
  .card { border: 1px solid #d0d7de; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
  .error { border-color: #cf222e; background: #fff5f5; } .ok { border-color: #1a7f37; background: #f3fff5; }
  button, .button { font: inherit; padding: 0.4rem 1rem; border-radius: 6px; border: 1px solid #8c959f; background: #f6f8fa; cursor: pointer; text-decoration: none; color: inherit; display: inline-block; }
  button.primary, .button.primary { background: #1f883d; border-color: #1a7f37; color: #fff; }
  form.inline { display: inline; } label { display: block; margin: 0.5rem 0; }
  input[type=text], input[type=password] { font: inherit; padding: 0.3rem; width: 16rem; }
  table { border-collapse: collapse; } td, th { border-bottom: 1px solid #d0d7de; padding: 0.3rem 0.75rem; text-align: left; }
  nav { font-size: 0.9rem; color: #59636e; margin-bottom: 1rem; }
`

/**
 * A whole page.
 *
 * @param {{ title: string, user?: string | null, body: SafeHtml }} page
 * @returns {string}
 */
export function layout({ title, user = null, body }) {
  const signedIn = user
    ? html`signed in as <strong>${user}</strong>
        <form class="inline" method="post" action="/logout"><button type="submit">Sign out</button></form>`
    : html`not signed in`
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · sp-oauth quickstart</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<nav><a href="/">sp-oauth quickstart</a> · <a href="/demo">partner app demo</a> · ${signedIn}</nav>
${body}
</body>
</html>
`.text
}
