import type { OAuthEvent } from '../domain/events.js'
import type { AccessTokenRepository } from '../ports/access-token-repository.js'
import type { AuthorizationCodeRepository } from '../ports/authorization-code-repository.js'
import type { ClientRepository } from '../ports/client-repository.js'
import type { ConsentRepository } from '../ports/consent-repository.js'
import type { ConsentTicketRepository } from '../ports/consent-ticket-repository.js'
import type { EventOutboxRepository } from '../ports/event-publisher.js'
import type { RefreshTokenRepository } from '../ports/refresh-token-repository.js'
import type { SigningKeyRepository } from '../ports/signing-key-repository.js'
import type { Telemetry } from '../ports/telemetry.js'
import type { Repositories, TransactionalRepositories } from '../ports/unit-of-work.js'
import { NO_ATTRIBUTES, STORAGE_SPAN_PREFIX } from './telemetry-names.js'
import { traceCall } from './trace-call.js'
import { traceMethods } from './trace-methods.js'

/**
 * The repositories of one unit of work, traced, the events appended to its outbox collected into
 * `appended` (counted once the unit commits).
 */
export function traceTransactionalRepositories(
  repositories: TransactionalRepositories,
  telemetry: Telemetry,
  appended: OAuthEvent[],
): TransactionalRepositories {
  // `outbox` reads `undefined` when the unit hands out none, which is how the core tells.
  return new LazilyTracedRepositories(repositories, telemetry, appended) as TransactionalRepositories
}

/**
 * Each repository traced on first use: a unit of work uses two or three of the seven, and wrapping
 * all of them on every transaction cost more than the spans (measured: 3× the whole overhead of
 * tracing a client_credentials issuance). A getter per port repository, so a repository added to
 * the port without one here fails to compile.
 */
class LazilyTracedRepositories implements Repositories {
  readonly #source: TransactionalRepositories
  readonly #telemetry: Telemetry
  readonly #appended: OAuthEvent[]
  readonly #traced = new Map<string, unknown>()

  constructor(source: TransactionalRepositories, telemetry: Telemetry, appended: OAuthEvent[]) {
    this.#source = source
    this.#telemetry = telemetry
    this.#appended = appended
  }

  get clients(): ClientRepository {
    return this.#repository('clients')
  }
  get authorizationCodes(): AuthorizationCodeRepository {
    return this.#repository('authorizationCodes')
  }
  get accessTokens(): AccessTokenRepository {
    return this.#repository('accessTokens')
  }
  get refreshTokens(): RefreshTokenRepository {
    return this.#repository('refreshTokens')
  }
  get consents(): ConsentRepository {
    return this.#repository('consents')
  }
  get consentTickets(): ConsentTicketRepository {
    return this.#repository('consentTickets')
  }
  get signingKeys(): SigningKeyRepository {
    return this.#repository('signingKeys')
  }
  get outbox(): EventOutboxRepository | undefined {
    const outbox = this.#source.outbox
    if (outbox === undefined) return undefined
    return this.#memo('outbox', () => traceOutbox(outbox, this.#telemetry, this.#appended))
  }

  #repository<K extends keyof Repositories>(name: K): Repositories[K] {
    return this.#memo(name, () =>
      traceMethods(this.#source[name], `${STORAGE_SPAN_PREFIX}.${name}`, this.#telemetry),
    )
  }

  #memo<T>(name: string, trace: () => T): T {
    let traced = this.#traced.get(name) as T | undefined
    if (traced === undefined) {
      traced = trace()
      this.#traced.set(name, traced)
    }
    return traced
  }
}

/** The outbox, traced, each batch it accepted collected into `appended`. */
function traceOutbox(
  outbox: EventOutboxRepository,
  telemetry: Telemetry,
  appended: OAuthEvent[],
): EventOutboxRepository {
  return {
    append: (events) =>
      traceCall(telemetry, `${STORAGE_SPAN_PREFIX}.outbox.append`, NO_ATTRIBUTES, async () => {
        await outbox.append(events)
        appended.push(...events)
      }),
  }
}
