/**
 * Remembers which consent tickets were used, so each consent form is answered at most once. A
 * ticket is stateless until it is answered; answering stores the hash of its nonce (with the
 * ticket's expiry, after which the row may be pruned: the ticket is refused by its expiry then).
 */
export interface ConsentTicketRepository {
  /**
   * Records the ticket's nonce as used, in one atomic step: returns `true` for the caller that
   * recorded it, `false` when it was recorded before. Of concurrent callers exactly one gets
   * `true`, including across units of work: a caller whose unit of work is still open holds the
   * nonce until it commits (the others then get `false`) or rolls back (the record is undone, and
   * one of the others gets `true`). Never throws for a used nonce.
   *
   * @param ticket the nonce's hash (43 base64url characters) and when the ticket expires.
   * @param now when it was used, kept for the record.
   */
  consume(ticket: { readonly nonceHash: string; readonly expiresAt: Date }, now: Date): Promise<boolean>
}
