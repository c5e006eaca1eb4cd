// @sp-oauth/express: the OAuth routes and bearer guards of an sp-oauth server, for Express 5.

export type { ConsentPrompt, HttpResponse, InteractionUser } from '@sp-oauth/core/http'
export { createOAuthExpress, type OAuthExpress, type OAuthExpressOptions } from './create-oauth-express.js'
