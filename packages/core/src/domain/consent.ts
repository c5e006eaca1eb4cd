/** A user's remembered consent for a client: later requests within these scopes skip the prompt. */
export interface ConsentRecord {
  readonly userId: string
  readonly clientId: string
  readonly scopes: readonly string[]
  readonly claims: Readonly<Record<string, unknown>>
  readonly createdAt: Date
  readonly updatedAt: Date
}
