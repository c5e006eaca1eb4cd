// One request as a journey step: sent with Node's fetch (undici, keep-alive), timed including the
// body, classified against the statuses the step expects, and checked. A step that did not get
// what it expected ends the journey: what follows would only fail for that reason.
import { performance } from 'node:perf_hooks'

/** No request of the soak should take this long; one that does counts as a network error. */
const TIMEOUT_MS = 30_000

/** Thrown to end a journey after a step went wrong; the step has been recorded already. */
export class JourneyAborted extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message)
    this.name = 'JourneyAborted'
  }
}

/**
 * @typedef {object} Exchange what a step's check reads
 * @property {number} status
 * @property {Headers} headers
 * @property {string} body
 */

/**
 * @typedef {object} Step
 * @property {string} route the row of the report this request counts in
 * @property {'GET' | 'POST'} [method]
 * @property {string} path path and query, on the server under soak
 * @property {Record<string, string>} [form] sent as application/x-www-form-urlencoded
 * @property {Record<string, string>} [headers]
 * @property {readonly number[]} expect the statuses this step may get
 * @property {(exchange: Exchange) => string | null} [check] a problem with an expected answer, or null
 */

/**
 * @param {string} baseUrl
 * @param {ReturnType<typeof import('./route-stats.mjs').createRouteStats>} stats
 */
export function createHttpClient(baseUrl, stats) {
  /**
   * @param {Step} step
   * @returns {Promise<Exchange>}
   * @throws JourneyAborted when the step went wrong
   */
  return async function send(step) {
    const headers = { ...step.headers }
    if (step.form) headers['content-type'] = 'application/x-www-form-urlencoded'
    const started = performance.now()
    /** @type {Exchange} */
    let exchange
    try {
      const response = await fetch(new URL(step.path, baseUrl), {
        method: step.method ?? 'GET',
        headers,
        ...(step.form ? { body: new URLSearchParams(step.form).toString() } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
      exchange = { status: response.status, headers: response.headers, body: await response.text() }
    } catch (error) {
      const detail = networkErrorName(error)
      stats.record(step.route, 'network', performance.now() - started, { detail, example: String(error) })
      throw new JourneyAborted(`${step.route}: ${detail}`)
    }
    const latencyMs = performance.now() - started
    const { status } = exchange
    const expected = step.expect.includes(status)
    if (!expected) {
      const outcome = status >= 500 ? 'serverError' : status >= 400 ? 'unexpected4xx' : 'wrongAnswer'
      const detail = `${status}${errorCode(exchange)}, expected ${step.expect.join(' or ')}`
      stats.record(step.route, outcome, latencyMs, { detail, example: excerpt(exchange) })
      throw new JourneyAborted(`${step.route}: ${detail}`)
    }
    const problem = step.check?.(exchange) ?? null
    if (problem !== null) {
      stats.record(step.route, 'wrongAnswer', latencyMs, { detail: problem, example: excerpt(exchange) })
      throw new JourneyAborted(`${step.route}: ${problem}`)
    }
    stats.record(step.route, status >= 400 ? 'expected4xx' : 'ok', latencyMs, null)
    return exchange
  }
}

/** ` invalid_grant` from an OAuth error body, so problems group by error code. */
function errorCode(/** @type {Exchange} */ exchange) {
  try {
    const { error } = JSON.parse(exchange.body)
    return typeof error === 'string' ? ` ${error}` : ''
  } catch {
    return ''
  }
}

function excerpt(/** @type {Exchange} */ exchange) {
  const location = exchange.headers.get('location')
  const body = exchange.body.replace(/\s+/g, ' ').slice(0, 200)
  return `${exchange.status}${location ? ` location=${location.slice(0, 120)}` : ''} ${body}`
}

/** The cause's code (ECONNRESET, UND_ERR_SOCKET…) or the timeout: what groups network errors. */
function networkErrorName(/** @type {unknown} */ error) {
  if (!(error instanceof Error)) return String(error)
  if (error.name === 'TimeoutError') return `timeout after ${TIMEOUT_MS / 1000} s`
  const cause = /** @type {{ code?: string, name?: string } | undefined} */ (error.cause)
  return cause?.code ?? cause?.name ?? error.name
}
