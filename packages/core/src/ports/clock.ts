/** The time. A port so tests can move it. */
export interface Clock {
  now(): Date
}
