/** A subject of dot-separated tokens without wildcards or whitespace, as NATS publishes to. */
const SUBJECT = /^[^.\s*>]+(\.[^.\s*>]+)*$/

/** `null` when `subject` can be published to (no wildcard, no empty token, no whitespace), else why not. */
export function subjectProblem(name: string, subject: string): string | null {
  return SUBJECT.test(subject)
    ? null
    : `${name}: must be dot-separated tokens without spaces, "*" or ">", got ${JSON.stringify(subject)}`
}
