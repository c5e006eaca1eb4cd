import type { AuthorizationCodeRecord } from '../domain/authorization-code.js'
import { base64UrlEncode } from '../domain/pkce.js'
import { matchRedirectUri } from '../domain/redirect-uri.js'
import { isScopeSubset, normalizeScopes } from '../domain/scope.js'
import { OAuthError } from '../errors/oauth-error.js'
import type { TransactionalRepositories } from '../ports/unit-of-work.js'
import { authorizationResponseUrl } from './internal/authorization-response-url.js'
import { commit } from './internal/commit.js'
import { mergeConsent } from './internal/merge-consent.js'
import type { ServerContext } from './internal/server-context.js'
import { addMinutes } from './internal/time.js'
import { type UserReference, userIdOf } from './internal/user-id.js'
import type { AuthorizationRequest } from './validate-authorization-request.js'

/** What the user agreed to on the consent screen. */
export interface ConsentContext {
  /** The approved scopes: the requested ones, or fewer. Default: all requested. */
  readonly scopes?: readonly string[]
  /** Claims to carry into the tokens (e.g. a tenant id), kept with the code and its tokens. */
  readonly claims?: Readonly<Record<string, unknown>>
  /** Remember this consent, so later requests within these scopes skip the screen. */
  readonly remember?: boolean
}

/** An approved authorization: the one-time code and where to send the user with it. */
export interface AuthorizationApproval {
  /** The authorization code. Shown once; only its hash is stored. */
  readonly code: string
  /** The client's redirect URI with `code`, `state` and `iss`. */
  readonly redirectUrl: string
  readonly scopes: readonly string[]
  readonly expiresAt: Date
}

/**
 * Approves a validated request for a user: issues a one-time code bound to the client, user,
 * redirect URI, scopes and PKCE challenge, valid `authCodeTtlMinutes`; remembers the consent when
 * asked. Approved scopes may not exceed the requested ones.
 *
 * @throws OAuthError `invalid_scope` (approved more than requested), `invalid_request` (client revoked since)
 * @see RFC 6749 §4.1.2, RFC 9207
 */
export async function approveAuthorizationRequest(
  context: ServerContext,
  request: AuthorizationRequest,
  user: UserReference,
  consent: ConsentContext = {},
): Promise<AuthorizationApproval> {
  return approveWithin(context, request, user, consent, null)
}

/**
 * {@link approveAuthorizationRequest}, running `step` first in the same unit of work (consuming a
 * consent ticket): if it throws, nothing is issued or remembered.
 */
export async function approveWithin(
  context: ServerContext,
  request: AuthorizationRequest,
  user: UserReference,
  consent: ConsentContext,
  step: ((repositories: TransactionalRepositories) => Promise<void>) | null,
): Promise<AuthorizationApproval> {
  const userId = userIdOf(user)
  const scopes = consent.scopes === undefined ? request.scopes : normalizeScopes(consent.scopes)
  if (!isScopeSubset(scopes, request.scopes)) {
    throw OAuthError.invalidScope({ description: 'The approved scopes exceed the requested ones.' })
  }
  if (scopes.length === 0 && request.scopes.length > 0) {
    throw OAuthError.invalidScope({
      description: 'At least one scope must be approved; deny the request instead.',
    })
  }
  const client = await context.storage.repositories.clients.findById(request.client.id)
  if (!client || client.revokedAt || !matchRedirectUri(request.redirectUri, client.redirectUris, client)) {
    throw OAuthError.invalidRequest({ description: 'The client is unknown or has been revoked.' })
  }
  const now = context.clock.now()
  const code = base64UrlEncode(context.random.bytes(32))
  const { hash, keyId } = await context.hasher.hash(code)
  const claims = consent.claims ?? {}
  const record: AuthorizationCodeRecord = {
    codeHash: hash,
    hashKeyId: keyId,
    grantId: context.random.uuid(),
    clientId: client.id,
    userId,
    redirectUri: request.redirectUri,
    redirectUriExplicit: request.redirectUriExplicit,
    scopes,
    claims,
    // A plain challenge is the verifier itself: keep only its hash (what S256 would have sent).
    codeChallenge:
      request.codeChallenge !== null && request.codeChallengeMethod === 'plain'
        ? await context.sha256.base64Url(request.codeChallenge)
        : request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    createdAt: now,
    expiresAt: addMinutes(now, context.config.authCodeTtlMinutes),
    consumedAt: null,
  }
  const remember = consent.remember ?? false
  await commit(context, async (repositories, events) => {
    if (step) await step(repositories)
    await repositories.authorizationCodes.insert(record)
    if (remember) await mergeConsent(repositories, { userId, clientId: client.id, scopes, claims }, now)
    events.record({
      type: 'OAuthAuthorizationApproved',
      clientId: client.id,
      userId,
      scopes,
      remembered: remember,
      grantId: record.grantId,
    })
  })
  return {
    code,
    redirectUrl: authorizationResponseUrl(
      request.redirectUri,
      { code, state: request.state },
      context.config.issuer,
    ),
    scopes,
    expiresAt: record.expiresAt,
  }
}
