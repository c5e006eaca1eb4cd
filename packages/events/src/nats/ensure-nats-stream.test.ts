import { randomUUID } from 'node:crypto'
import { ConfigurationError } from '@sp-oauth/core'
import type { NatsConnection } from 'nats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureNatsStream } from './ensure-nats-stream.js'
import { connectForTests } from './nats-test-support.js'

describe('ensureNatsStream (real NATS JetStream)', () => {
  let connection: NatsConnection
  const name = `sp_oauth_test_${randomUUID().replaceAll('-', '')}`
  const subject = `sp-oauth-test.${randomUUID().replaceAll('-', '')}`

  beforeAll(async () => {
    connection = await connectForTests()
  })

  afterAll(async () => {
    if (!connection) return
    const manager = await connection.jetstreamManager()
    await manager.streams.delete(name).catch(() => false)
    await connection.close()
  })

  const config = async () => (await (await connection.jetstreamManager()).streams.info(name)).config

  it('creates the stream with the subjects and duplicate window asked for', async () => {
    await ensureNatsStream(connection, { name, subjects: [`${subject}.a.>`], duplicateWindowMs: 30_000 })
    const created = await config()
    expect(created.subjects).toEqual([`${subject}.a.>`])
    expect(created.duplicate_window).toBe(30_000 * 1_000_000)
  })

  it('is idempotent, and brings subjects and duplicate window of an existing stream up to date', async () => {
    await ensureNatsStream(connection, { name, subjects: [`${subject}.a.>`], duplicateWindowMs: 30_000 })
    await ensureNatsStream(connection, { name, subjects: [`${subject}.b.>`], duplicateWindowMs: 90_000 })
    const updated = await config()
    expect(updated.subjects).toEqual([`${subject}.b.>`])
    expect(updated.duplicate_window).toBe(90_000 * 1_000_000)
  })

  it('refuses invalid options, listing every problem, before touching the server', async () => {
    const refused = ensureNatsStream(connection, { name: 'a.b c', subjects: [], duplicateWindowMs: 0 })
    await expect(refused).rejects.toBeInstanceOf(ConfigurationError)
    await expect(refused).rejects.toThrow(/name: [\s\S]*subjects: [\s\S]*duplicateWindowMs: /)
  })
})
