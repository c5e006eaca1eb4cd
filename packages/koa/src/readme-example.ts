// The example of the README, type-checked by `pnpm typecheck` (never run, never exported). Keep the
// two in step.
import type { AuthorizationServer } from '@sp-oauth/core'
import Koa, { type Context } from 'koa'
import { type ConsentPrompt, createOAuthKoa, type OAuthKoa } from './index.js' // '@sp-oauth/koa' in the README

/** Your session lookup (koa-session, a signed cookie, …). */
export interface Sessions {
  signedIn(
    ctx: Context,
  ): { readonly userId: string; readonly sessionId: string; readonly signedInAt: Date } | null
}

export function createApp(server: AuthorizationServer, sessions: Sessions): Koa {
  const oauth = createOAuthKoa(server, {
    getUser: (ctx) => {
      const signedIn = sessions.signedIn(ctx)
      return signedIn && { user: signedIn.userId, session: signedIn.sessionId, authTime: signedIn.signedInAt }
    },
    // `reauthenticate`: prompt=login or max_age asks for a fresh sign-in although one exists.
    login: (ctx, returnTo, { reauthenticate }) =>
      ctx.redirect(`/login?returnTo=${encodeURIComponent(returnTo)}${reauthenticate ? '&again=1' : ''}`),
    renderConsent: (ctx, prompt) => {
      ctx.type = 'html'
      ctx.body = consentPage(prompt)
    },
  })

  const app = new Koa()
  app.use(oauth.routes) // first: before any body parser
  const readInvoices = oauth.requireAllScopes('invoices.read') // checks the bearer token too
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET' || ctx.path !== '/partner/invoices') return next()
    await readInvoices(ctx, async () => {
      ctx.body = { client: ctx.state.oauth!.clientId, user: ctx.state.oauth!.userId }
    })
  })
  return app
}

/** An authorize route of your own: here, a first-party client approved without a consent screen. */
export function firstPartyAuthorize(app: Koa, oauth: OAuthKoa, sessions: Sessions): void {
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET' || ctx.path !== '/sso/authorize') return next()
    try {
      const request = await oauth.validateAuthorizationRequest(ctx) // the raw query, strictly parsed
      const signedIn = sessions.signedIn(ctx)
      if (!signedIn) return ctx.redirect(`/login?returnTo=${encodeURIComponent(ctx.originalUrl)}`)
      await oauth.approveAndRedirect(ctx, request, signedIn.userId, { remember: true })
    } catch (error) {
      oauth.sendError(ctx, error) // shown, or redirected to the client once it is trusted
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
