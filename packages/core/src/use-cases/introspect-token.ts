import { formatScope } from '../domain/scope.js'
import {
  findPresentedAccessToken,
  findPresentedRefreshToken,
  wholeAccessToken,
} from './internal/find-presented-token.js'
import type { ServerContext } from './internal/server-context.js'
import { epochSeconds } from './internal/time.js'

/** An RFC 7662 introspection response. Inactive tokens say nothing more than `active: false`. */
export type IntrospectionResponse =
  | { readonly active: false }
  | {
      readonly active: true
      readonly scope: string
      readonly client_id: string
      readonly sub: string
      readonly token_type: 'Bearer' | 'refresh_token'
      readonly exp: number
      readonly iat: number
      readonly iss: string
      readonly jti: string
      readonly aud?: string
      readonly username?: string
    }

export interface IntrospectTokenInput {
  readonly token: string
  readonly hint?: string | undefined
  /** The client asking. It may always introspect the tokens issued to it. */
  readonly callerClientId: string
  /**
   * Whether the caller is a resource server (`Client.resourceServer`): then it may also introspect
   * access tokens issued to other clients. Refresh tokens are never shown to another client.
   * Default `false`.
   */
  readonly callerIsResourceServer?: boolean
}

const INACTIVE = { active: false } as const

/**
 * Tells whether a token is active and what it grants. A client may introspect its own tokens; an
 * access token of another client only a resource server may (a client id is no secret, and a
 * partner app has no business reading another partner's users and scopes); refresh tokens only
 * their own client. A token the caller may not see is answered like an unknown one.
 *
 * @see RFC 7662 §2.2
 */
export async function introspectToken(
  context: ServerContext,
  input: IntrospectTokenInput,
): Promise<IntrospectionResponse> {
  const now = context.clock.now()
  const live = async (record: {
    readonly revokedAt: Date | null
    readonly expiresAt: Date
    readonly clientId: string
  }): Promise<boolean> =>
    record.revokedAt === null &&
    now.getTime() < record.expiresAt.getTime() &&
    !(await context.clientRevocations.isRevoked(record.clientId))
  const tryRefresh = input.hint === 'refresh_token'
  for (const kind of tryRefresh ? ['refresh', 'access'] : ['access', 'refresh']) {
    if (kind === 'access') {
      const record = (
        await findPresentedAccessToken(context, input.token, {
          lookUp: true,
          read: wholeAccessToken(context),
        })
      )?.record
      if (!record) continue
      if (record.clientId !== input.callerClientId && input.callerIsResourceServer !== true) return INACTIVE
      if (!(await live(record))) return INACTIVE
      return {
        active: true,
        scope: formatScope(record.scopes),
        client_id: record.clientId,
        sub: record.userId ?? record.clientId,
        token_type: 'Bearer',
        exp: epochSeconds(record.expiresAt),
        iat: epochSeconds(record.createdAt),
        iss: context.config.issuer,
        jti: record.id,
        ...(record.format === 'jwt' ? { aud: context.config.jwtAudience } : {}),
        ...(record.userId === null ? {} : { username: record.userId }),
      }
    }
    const record = await findPresentedRefreshToken(context, input.token)
    if (!record) continue
    if (record.rotatedAt !== null || record.clientId !== input.callerClientId) return INACTIVE
    if (!(await live(record))) return INACTIVE
    return {
      active: true,
      scope: formatScope(record.scopes),
      client_id: record.clientId,
      sub: record.userId ?? record.clientId,
      token_type: 'refresh_token',
      exp: epochSeconds(record.expiresAt),
      iat: epochSeconds(record.createdAt),
      iss: context.config.issuer,
      jti: record.id,
      ...(record.userId === null ? {} : { username: record.userId }),
    }
  }
  return INACTIVE
}
