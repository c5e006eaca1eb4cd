import type { HttpResponse } from '@sp-oauth/core/http'
import type { Context } from 'koa'

/**
 * Copies a core response as it is, through Koa's response so the app's upstream middleware still
 * runs. Koa would change two things, undone here: a `null` body turns a 200 into a 204 and strips
 * the headers, so a missing body is sent as `''`; and a string body gets a `text/plain` content
 * type when the core set none, so that one is removed again.
 */
export function writeHttpResponse(ctx: Context, response: HttpResponse): void {
  ctx.status = response.status
  ctx.set(response.headers)
  const typed = ctx.res.hasHeader('content-type')
  // Sets Content-Length too, which Koa also sends for HEAD.
  ctx.body = response.body ?? ''
  if (!typed) ctx.remove('Content-Type')
}
