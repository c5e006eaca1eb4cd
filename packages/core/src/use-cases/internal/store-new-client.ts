import type { ClientRecord } from '../../domain/client.js'
import type { TransactionalRepositories } from '../../ports/unit-of-work.js'
import type { EventRecorder } from './commit.js'

/** Stores a client that is new to this server, created or imported, and records that it came. */
export async function storeNewClient(
  repositories: TransactionalRepositories,
  events: EventRecorder,
  record: ClientRecord,
): Promise<void> {
  await repositories.clients.insert(record)
  events.record({
    type: 'OAuthClientCreated',
    clientId: record.id,
    name: record.name,
    confidential: record.confidential,
  })
}
