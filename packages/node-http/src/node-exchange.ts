import type { IncomingMessage } from 'node:http'
import type { Principal } from '@sp-oauth/core'
import type { HttpResponse } from '@sp-oauth/core/http'

/**
 * How the shared Node flow reaches one framework's request and response. `C` is what the
 * framework hands a middleware: Koa's `ctx`, or Express's `req` and `res` as a pair.
 */
export interface NodeExchange<C> {
  /** The Node request underneath: its headers and body are read as received. */
  request(c: C): IncomingMessage
  /** The request target as received, mount point included (the frameworks' `originalUrl`). */
  originalUrl(c: C): string
  /** Copies a core response onto the framework's response, as it is. */
  write(c: C, response: HttpResponse): void
  /** The principal an earlier guard set on this request, if any. */
  principal(c: C): Principal | undefined
  /** Hands the bearer token's principal to the app's handlers (`req.oauth`, `ctx.state.oauth`). */
  setPrincipal(c: C, principal: Principal): void
}

/** What a middleware does once its step is done: call `next()`, or nothing (the request is answered). */
export type NodeStep = 'next' | 'handled'

/** A middleware's work without the framework: each adapter wraps it in its own middleware type. */
export type NodeMiddleware<C> = (c: C) => Promise<NodeStep>
