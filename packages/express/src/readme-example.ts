// The example of the README, type-checked by `pnpm typecheck` (never run, never exported). Keep the
// two in step.
import type { AuthorizationServer } from '@sp-oauth/core'
import express, { type Express, type Request } from 'express'
import { type ConsentPrompt, createOAuthExpress, type OAuthExpress } from './index.js' // '@sp-oauth/express' in the README

/** Your session lookup (express-session, a signed cookie, …). */
export interface Sessions {
  signedIn(
    req: Request,
  ): { readonly userId: string; readonly sessionId: string; readonly signedInAt: Date } | null
}

export function createApp(server: AuthorizationServer, sessions: Sessions): Express {
  const oauth = createOAuthExpress(server, {
    getUser: (req) => {
      const signedIn = sessions.signedIn(req)
      return signedIn && { user: signedIn.userId, session: signedIn.sessionId, authTime: signedIn.signedInAt }
    },
    // `reauthenticate`: prompt=login or max_age asks for a fresh sign-in although one exists.
    login: (_req, res, returnTo, { reauthenticate }) =>
      res.redirect(`/login?returnTo=${encodeURIComponent(returnTo)}${reauthenticate ? '&again=1' : ''}`),
    renderConsent: (_req, res, prompt) => {
      res.type('html').send(consentPage(prompt))
    },
  })

  const app = express()
  app.disable('x-powered-by')
  app.use(oauth.routes) // first: before any body parser
  app.use(express.urlencoded({ extended: false })) // your own routes' parsers come after

  app.get('/partner/invoices', oauth.requireToken(), oauth.requireAllScopes('invoices.read'), (req, res) => {
    res.json({ client: req.oauth!.clientId, user: req.oauth!.userId })
  })
  return app
}

/** An authorize route of your own: here, a first-party client approved without a consent screen. */
export function firstPartyAuthorize(app: Express, oauth: OAuthExpress, sessions: Sessions): void {
  app.get('/sso/authorize', async (req, res) => {
    try {
      const request = await oauth.validateAuthorizationRequest(req) // the raw query, strictly parsed
      const signedIn = sessions.signedIn(req)
      if (!signedIn) return res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`)
      await oauth.approveAndRedirect(res, request, signedIn.userId, { remember: true })
    } catch (error) {
      oauth.sendError(res, error) // shown, or redirected to the client once it is trusted
    }
  })
}

function consentPage({ request, ticket, approvePath, denyPath }: ConsentPrompt): string {
  const hidden = `<input type="hidden" name="ticket" value="${escapeHtml(ticket)}">`
  return `<h1>${escapeHtml(request.client.name)} asks for ${escapeHtml(request.scopes.join(', '))}</h1>
<form method="post" action="${escapeHtml(approvePath)}">${hidden}
  <label><input type="checkbox" name="remember" value="on"> Remember</label>
  <button>Allow</button>
</form>
<form method="post" action="${escapeHtml(denyPath)}">${hidden}<button>Deny</button></form>`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
