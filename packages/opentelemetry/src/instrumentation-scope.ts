/** The instrumentation scope of the spans and counters: sp-oauth's own, as the core reports them. */
export const INSTRUMENTATION_SCOPE = '@sp-oauth/core'
