import type { HttpResponse } from '@sp-oauth/core/http'
import type { Response } from 'express'

/**
 * Copies a core response as it is, through Node's own API: Express's `res.set` would add a
 * charset to some content types and `res.send` an ETag, so neither is used. `Content-Length` is
 * set here rather than left to Node, which omits it from HEAD answers; spelled and placed as Koa
 * does, so both adapters put the same bytes on the wire.
 */
export function writeHttpResponse(res: Response, response: HttpResponse): void {
  const body = response.body ?? ''
  res.statusCode = response.status
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.end(body)
}
