import type { Telemetry } from '../ports/telemetry.js'
import { NO_ATTRIBUTES } from './telemetry-names.js'
import { traceCall } from './trace-call.js'

type Method = (...args: unknown[]) => Promise<unknown>

/**
 * A copy of `port` whose every method runs in a span named `<prefix>.<method>`, called on `port`
 * itself. Methods come from the object and its prototypes (a repository may be a class instance);
 * other properties are copied as they are.
 */
export function traceMethods<T extends object>(port: T, prefix: string, telemetry: Telemetry): T {
  const traced: Record<string, unknown> = {}
  for (const name of propertyNames(port)) {
    const value: unknown = (port as Record<string, unknown>)[name]
    if (typeof value !== 'function') {
      traced[name] = value
      continue
    }
    const method = value as Method
    const spanName = `${prefix}.${name}`
    traced[name] = (...args: unknown[]) =>
      traceCall(telemetry, spanName, NO_ATTRIBUTES, () => method.apply(port, args))
  }
  return traced as T
}

function propertyNames(port: object): Set<string> {
  const names = new Set<string>()
  for (let level: object | null = port; level !== null && level !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(level)) if (name !== 'constructor') names.add(name)
    level = Object.getPrototypeOf(level) as object | null
  }
  return names
}
