import type { ListenerErrorContext } from './listener-error-handler.js'

/** The most of `String(error)` a log line carries: enough to recognise it, too little to leak much. */
const MAX_ERROR_CHARS = 200

/**
 * The default `onListenerError`: one line on `console.error` naming the event type, event id and
 * listener, with `String(error)` cut to 200 characters. Never the event's other fields (user and
 * client ids, scopes) and never the error object, whose properties and stack may hold anything.
 */
export function logListenerError(error: unknown, context: ListenerErrorContext): void {
  const { event, listener } = context
  console.error(
    `[@sp-oauth/events] ${oneLine(listener)} failed on ${oneLine(event.type)} event ${oneLine(event.id)}: ${oneLine(
      describe(error).slice(0, MAX_ERROR_CHARS),
    )}`,
  )
}

function describe(value: unknown): string {
  try {
    return String(value)
  } catch {
    // e.g. Object.create(null): no toString to call.
    return '(unprintable)'
  }
}

/** Keeps the entry on one line, so a message cannot forge further log lines. */
function oneLine(value: unknown): string {
  return describe(value).replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
}
