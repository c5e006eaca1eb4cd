// A failed client authentication writes nothing (issue 9 item 10): checked on a real SQL storage
// with the outbox on, counting the statements it sends and the outbox rows it stores.
import type { OAuthEvent, Storage } from '@sp-oauth/core'
import { expect } from 'vitest'
import { coreOn, createGuaranteeClient, sharedClock } from './core-guarantees.js'

/** How many failed authentications the check sends. */
export const FAILED_AUTHENTICATIONS = 300

/** A storage with the outbox on, and ways to look at what it sent and stored. */
export interface FailedAuthenticationSubject {
  readonly storage: Storage
  /** Every statement the storage sent so far, appended as it sends them. */
  readonly statements: string[]
  /** How many rows the outbox table holds. */
  outboxRows(): Promise<number>
}

/**
 * Sends {@link FAILED_AUTHENTICATIONS} token requests that fail client authentication (half with a
 * random client id, half with a real client and a wrong secret) and checks that they sent no
 * statement but reads (no transaction, no insert), stored no outbox row, and still reached the
 * in-process event publisher, naming a client only when it exists.
 */
export async function expectFailedAuthenticationsWriteNothing(
  subject: FailedAuthenticationSubject,
): Promise<void> {
  const published: OAuthEvent[] = []
  const server = coreOn(subject.storage, sharedClock(), {
    eventPublisher: {
      publish: async (events) => {
        published.push(...events)
      },
    },
  })
  const client = await createGuaranteeClient(server)
  const rowsBefore = await subject.outboxRows()
  subject.statements.length = 0
  for (let i = 0; i < FAILED_AUTHENTICATIONS; i++) {
    const clientId = i % 2 === 0 ? crypto.randomUUID() : client.id
    const body = { grant_type: 'client_credentials', client_id: clientId, client_secret: `wrong-${i}` }
    await expect(server.issueTokenFromRequest({ body })).rejects.toMatchObject({ code: 'invalid_client' })
  }
  const writes = subject.statements.filter((statement) => !/^\s*select\b/i.test(statement))
  expect(writes).toEqual([])
  expect(subject.statements.length).toBeLessThanOrEqual(FAILED_AUTHENTICATIONS)
  expect(await subject.outboxRows()).toBe(rowsBefore)
  const failures = published.filter((event) => event.type === 'OAuthClientAuthenticationFailed')
  expect(failures).toHaveLength(FAILED_AUTHENTICATIONS)
  expect(failures.filter((event) => event.clientId === client.id)).toHaveLength(FAILED_AUTHENTICATIONS / 2)
  expect(failures.filter((event) => event.clientId === null)).toHaveLength(FAILED_AUTHENTICATIONS / 2)
}
