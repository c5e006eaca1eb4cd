import { ConfigurationError } from '@sp-oauth/core'
import type { NatsConnection, StreamConfig } from 'nats'
import { DEFAULT_SUBJECT_PREFIX } from './nats-jetstream-publisher.js'

/** JetStream's error code for "stream not found". */
const STREAM_NOT_FOUND = 10059
const NANOS_PER_MS = 1_000_000
const STREAM_NAME = /^[^.\s*>/\\]+$/

/** Options of {@link ensureNatsStream}. */
export interface NatsStreamOptions {
  /** The stream's name: no spaces, dots, `*`, `>`, `/` or `\`. */
  readonly name: string
  /** The subjects it stores. Default: every event of the default prefix, `sp-oauth.events.>`. */
  readonly subjects?: readonly string[]
  /**
   * How long the stream remembers message ids to drop duplicates, in milliseconds. Default 120000
   * (JetStream's default). Make it longer than a relay may take to deliver a batch again after a
   * crash (its restart time plus `intervalMs`): a duplicate arriving later is stored again.
   */
  readonly duplicateWindowMs?: number
}

/**
 * Creates the JetStream stream the events go to, or brings an existing one's subjects and duplicate
 * window up to `options` (leaving its other settings alone). Idempotent. New streams use JetStream's
 * defaults otherwise (file storage, limits retention, nothing expires): set limits with the
 * `nats` CLI or `jetstreamManager()` as your retention needs.
 *
 * @throws ConfigurationError when an option is invalid
 * @throws the client's error when JetStream is not enabled or refuses the change
 */
export async function ensureNatsStream(
  connection: NatsConnection,
  options: NatsStreamOptions,
): Promise<void> {
  const subjects = [...(options.subjects ?? [`${DEFAULT_SUBJECT_PREFIX}.>`])]
  const windowMs = options.duplicateWindowMs ?? 120_000
  const problems: string[] = []
  if (!STREAM_NAME.test(options.name)) {
    problems.push(
      `name: must have no spaces, ".", "*", ">", "/" or "\\", got ${JSON.stringify(options.name)}`,
    )
  }
  if (subjects.length === 0) problems.push('subjects: name at least one subject')
  if (!(Number.isSafeInteger(windowMs) && windowMs > 0)) {
    problems.push(`duplicateWindowMs: must be a positive integer, got ${String(windowMs)}`)
  }
  if (problems.length > 0) throw new ConfigurationError(problems)

  const manager = await connection.jetstreamManager()
  const wanted: Pick<StreamConfig, 'subjects' | 'duplicate_window'> = {
    subjects,
    duplicate_window: windowMs * NANOS_PER_MS,
  }
  let existing: StreamConfig
  try {
    existing = (await manager.streams.info(options.name)).config
  } catch (error) {
    if (!isStreamNotFound(error)) throw error
    await manager.streams.add({ name: options.name, ...wanted })
    return
  }
  const sameSubjects =
    existing.subjects.length === subjects.length && existing.subjects.every((s, i) => s === subjects[i])
  if (sameSubjects && existing.duplicate_window === wanted.duplicate_window) return
  await manager.streams.update(options.name, { ...existing, ...wanted })
}

function isStreamNotFound(error: unknown): boolean {
  const apiError = (error as { readonly api_error?: { readonly err_code?: number } } | null)?.api_error
  return apiError?.err_code === STREAM_NOT_FOUND
}
