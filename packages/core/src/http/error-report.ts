import { parseBasic } from '../use-cases/internal/authenticate-client.js'
import { isClientId } from '../use-cases/internal/client-id.js'
import { parseFormBody, parseUrlEncoded, type RawParameters } from './form-encoding.js'
import type { HttpRequest } from './http-message.js'
import type { OAuthRouteName } from './oauth-http.js'

/**
 * What is known about a request that failed on the server's side (a `5xx`): enough to find it in
 * your logs and traces, never a secret (no header, body, token or client secret).
 */
export interface ErrorReport {
  /** The OAuth route, or `resource` for a bearer check of a protected route. */
  readonly route: OAuthRouteName | 'resource'
  readonly method: string
  /** The path as received, without the query string. */
  readonly path: string
  /** The status answered: 500, or 503 when the storage is unavailable. */
  readonly status: number
  /** The client the request named (`client_id` in the query or body, or the Basic user name). */
  readonly clientId: string | null
  /** The request's `x-request-id` header, when it holds 1-128 visible ASCII characters. */
  readonly requestId: string | null
  /** What the adapter attached to the request (its request or context object), for its own hook. */
  readonly context: unknown
}

/** Told about every request that failed on the server's side, after its response was made. */
export type ErrorReporter = (error: unknown, report: ErrorReport) => void

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/
/** How deep an error's `cause` chain is written. */
const MAX_CAUSES = 3

/** Builds the report of `request`, failed with `status` on `route`. */
export function errorReportOf(
  route: ErrorReport['route'],
  request: Partial<HttpRequest> & Pick<HttpRequest, 'method' | 'path'>,
  status: number,
): ErrorReport {
  const requestId = request.headers?.['x-request-id']
  return {
    route,
    method: request.method,
    path: request.path,
    status,
    clientId: claimedClientId(route, request),
    requestId: requestId !== undefined && REQUEST_ID.test(requestId) ? requestId : null,
    context: request.context,
  }
}

/**
 * The default reporter: one JSON line on stderr per failed request, with the report and the error
 * (name, message, code, stack and causes), for any log collector to pick up.
 */
export function reportToStderr(error: unknown, report: ErrorReport): void {
  const { context: _adapterOwn, ...fields } = report
  const line = {
    time: new Date().toISOString(),
    level: 'error',
    msg: 'sp-oauth: request failed',
    ...fields,
    error: describeError(error, MAX_CAUSES),
  }
  // console.error: on stderr in Node, and present on every runtime the core runs on.
  console.error(JSON.stringify(line))
}

/** Calls `reporter`, so that a reporter that throws never changes the answer the client gets. */
export function reportSafely(reporter: ErrorReporter, error: unknown, report: ErrorReport): void {
  try {
    reporter(error, report)
  } catch {
    // Nowhere left to report to: the reporter itself is what failed.
  }
}

function describeError(error: unknown, causes: number): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) }
  const code = (error as { code?: unknown }).code
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: error.stack,
    ...(error.cause !== undefined && causes > 0 ? { cause: describeError(error.cause, causes - 1) } : {}),
  }
}

/**
 * The client id a request to `route` names, read where the server reads it: the query of an
 * authorization request; on the other routes the `Basic` user name when credentials come in the
 * `Authorization` header, else the form's `client_id` (client authentication never reads the
 * query, so neither does this: a made-up `?client_id=` must not draw a guesser's charges away
 * from the client it guesses at). Read leniently: a report or a limit must never fail on bad input.
 */
export function claimedClientId(
  route: string,
  request: Partial<HttpRequest>,
  form: () => RawParameters = () => parseFormBody(request.headers?.['content-type'], request.body ?? null),
): string | null {
  if (route === 'authorize') return fromQuery(request.query)
  const authorization = request.headers?.authorization
  return authorization ? fromBasic(authorization) : fromForm(form)
}

function fromForm(form: () => RawParameters): string | null {
  try {
    return validId(form().client_id)
  } catch {
    return null
  }
}

function fromQuery(query: string | undefined): string | null {
  try {
    return query ? validId(parseUrlEncoded(query, 'query').client_id) : null
  } catch {
    return null
  }
}

/** The user name of `Basic` credentials only: the part after the colon is the client's secret. */
function fromBasic(authorization: string | undefined): string | null {
  if (!authorization) return null
  try {
    return validId(parseBasic(authorization).clientId)
  } catch {
    return null
  }
}

function validId(value: unknown): string | null {
  const id = Array.isArray(value) ? value[0] : value
  return typeof id === 'string' && isClientId(id) ? id : null
}
