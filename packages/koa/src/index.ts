// @sp-oauth/koa: the OAuth routes and bearer guards of an sp-oauth server, for Koa 3.

export type { ConsentPrompt, HttpResponse, InteractionUser } from '@sp-oauth/core/http'
export { createOAuthKoa, type OAuthKoa, type OAuthKoaOptions, type OAuthState } from './create-oauth-koa.js'
