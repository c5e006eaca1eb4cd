// @sp-oauth/node-http: what both Node HTTP adapters share. Bundled into each; not published.

export { createNodeGuards, type NodeGuards } from './create-node-guards.js'
export { createNodeOAuthHandler, type NodeOAuthHooks } from './create-node-oauth-handler.js'
export { splitRequestTarget } from './http-request-of.js'
export type { NodeExchange, NodeMiddleware, NodeStep } from './node-exchange.js'
export { requireHooks } from './require-hooks.js'
