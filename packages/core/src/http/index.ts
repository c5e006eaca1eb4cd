// @sp-oauth/core/http: the server's HTTP surface, framework-neutral, for HTTP adapters
// (@sp-oauth/express, @sp-oauth/koa) and anyone writing one for another framework.

export { type ErrorReport, type ErrorReporter, reportToStderr } from './error-report.js'
export type { HttpRequest, HttpResponse } from './http-message.js'
export { HTTP_DEFAULTS, type OAuthHttpOptions } from './http-options.js'
export type {
  ConsentPrompt,
  InteractionOutcome,
  InteractionUser,
  LoginRequest,
  ShownProblem,
} from './interaction.js'
export {
  createOAuthHttp,
  type OAuthHttp,
  type OAuthRoute,
  type OAuthRouteName,
  type ProtectionResult,
  type ResourceRequirement,
} from './oauth-http.js'
export type { OAuthPaths } from './oauth-paths.js'
