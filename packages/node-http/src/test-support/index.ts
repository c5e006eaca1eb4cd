// @sp-oauth/node-http/test-support: what both Node adapters' tests share, and the raw-socket client
// the HTTP conformance suite uses too. For tests only: never imported by an adapter's own source,
// so never bundled.

export { type AdapterTestContext, useAdapterTestContext } from './adapter-test-context.js'
export { BROKEN_SERVER_CLIENT, createBrokenServer } from './broken-server.js'
export { type Listening, listen } from './listen.js'
export { nodeAdapterSuite } from './node-adapter-suite.js'
export {
  authorizeQuery,
  createOAuthFixture,
  FORM,
  type OAuthFixture,
  REDIRECT_URI,
  VERIFIER,
} from './oauth-fixture.js'
export { formPost, type RawRequest, type RawResponse, rawRequest } from './raw-http.js'
export {
  APP_ANSWERS,
  APP_ROUTES,
  createTestApp,
  guardedRoutes,
  type NodeAdapterHarness,
  OWN_AUTHORIZE_USER,
  type PrincipalBody,
  principalBody,
  type RecordingTestApp,
  type StartedTestApp,
  type TestApp,
  type TestAppHooks,
  type TestAppRecord,
  type TestAppSetup,
} from './test-app.js'
