// Whether the outbox delivered what the clients saw happen. Every token response is one
// OAuthTokenIssued and every revocation in the workload revokes a live token, so is one
// OAuthTokenRevoked: after the relay's last drain both counts must match the responses exactly. A
// lost or doubled event shows up here (the relay delivers at least once: a redelivery after an
// error would count twice, and its error is reported too).

/**
 * @param {import('../load/route-stats.mjs').RouteSummary} routes
 * @param {Record<string, number>} delivered events delivered by the relay, by type
 */
export function checkEvents(routes, delivered) {
  const okOf = (/** @type {(route: string) => boolean} */ matches) =>
    routes.rows.filter((row) => matches(row.route)).reduce((sum, row) => sum + row.ok, 0)
  return [
    {
      event: 'OAuthTokenIssued',
      delivered: delivered.OAuthTokenIssued ?? 0,
      responses: okOf((route) => route.startsWith('POST /oauth/token')),
      of: 'token responses',
    },
    {
      event: 'OAuthTokenRevoked',
      delivered: delivered.OAuthTokenRevoked ?? 0,
      responses: okOf((route) => route === 'POST /oauth/revoke'),
      of: 'revocations',
    },
  ].map((check) => ({ ...check, matches: check.delivered === check.responses }))
}

/** @typedef {ReturnType<typeof checkEvents>} EventChecks */
