/**
 * Where an error records the sp-oauth classes it is an instance of, by name. A registered symbol,
 * so two copies of this package in one process (an app that `require`s the CommonJS build and
 * `import`s the ESM build, or two installed versions) recognise each other's errors: without it an
 * `OAuthError` thrown through one copy fails the other's `instanceof` and renders as a 500.
 */
const KINDS = Symbol.for('@sp-oauth/core.error-kinds')

/** Root of every error sp-oauth throws on purpose. */
export class SpOAuthError extends Error {
  /** The name this class is recognised by across copies of the package (see `instanceof`). */
  static readonly kind: string = 'SpOAuthError'
  override name = 'SpOAuthError'

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options)
    const kinds: string[] = []
    for (let type: unknown = new.target; type !== Error && typeof type === 'function'; ) {
      if (Object.hasOwn(type, 'kind')) kinds.push((type as typeof SpOAuthError).kind)
      type = Object.getPrototypeOf(type)
    }
    Object.defineProperty(this, KINDS, { value: Object.freeze(kinds) })
  }

  /**
   * `error instanceof OAuthError` (or any class of ours) holds for an error made by another copy
   * of this package too. A subclass without a `kind` of its own (an application's) keeps the
   * ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: the class on the right of `instanceof`, maybe a subclass
    return isInstance(this, value)
  }
}

function isInstance(type: typeof SpOAuthError, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(type, value)) return true
  if (!Object.hasOwn(type, 'kind') || typeof value !== 'object' || value === null) return false
  const kinds: unknown = (value as { [KINDS]?: unknown })[KINDS]
  return Array.isArray(kinds) && kinds.includes(type.kind)
}
