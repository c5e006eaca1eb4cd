/** `repository` with every method run through `wrap`. */
export function wrapMethods<T extends object>(
  repository: T,
  wrap: <R>(call: () => Promise<R>) => Promise<R>,
): T {
  const methods = Object.entries(repository as Record<string, (...args: unknown[]) => Promise<unknown>>)
  return Object.fromEntries(
    methods.map(([name, method]) => [name, (...args: unknown[]) => wrap(() => method(...args))]),
  ) as T
}
