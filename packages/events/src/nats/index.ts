// @sp-oauth/events/nats: the core's events in a NATS JetStream stream. Needs the `nats` package.

export { decodeOAuthEvent } from './decode-oauth-event.js'
export type { NatsStreamOptions } from './ensure-nats-stream.js'
export { ensureNatsStream } from './ensure-nats-stream.js'
export type { NatsJetStreamPublisherOptions } from './nats-jetstream-publisher.js'
export { createNatsJetStreamPublisher } from './nats-jetstream-publisher.js'
