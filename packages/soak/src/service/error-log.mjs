// Errors of the background jobs, counted in full but kept as a few examples: a job failing every
// second for ten minutes must not become the leak the soak then reports.

const KEPT = 5

export function createErrorLog() {
  let count = 0
  /** @type {string[]} */
  const examples = []
  return {
    /** @param {unknown} error */
    add(error) {
      count++
      if (examples.length < KEPT) examples.push(describeError(error))
    },
    summary: () => ({ count, examples: [...examples] }),
  }
}

/** @param {unknown} error */
export function describeError(error) {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : ''
  return `${error.name}: ${error.message}${cause}`
}
