export type { EventBus, EventBusOptions } from './event-bus.js'
export { createEventBus } from './event-bus.js'
export type { EventListener, SubscribeOptions } from './event-listener.js'
export type { ListenerErrorContext, ListenerErrorHandler } from './listener-error-handler.js'
