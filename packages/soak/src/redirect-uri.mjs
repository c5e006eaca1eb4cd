// Where the partner's authorization responses go, shared by the service (which registers it) and
// the virtual users (which read the redirect to it). Nothing listens there: the soak reads the
// `Location` and never follows it.
export const REDIRECT_URI = 'http://127.0.0.1:9/callback'
