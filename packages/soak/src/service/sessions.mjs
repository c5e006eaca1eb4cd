// Sessions of the login page, in memory as in examples/express-postgres, with one difference that
// matters to a soak: they end (sign-out, or an idle limit). The example's map only grows, so a
// long run would measure the example's sessions instead of sp-oauth's memory.
import { randomBytes } from 'node:crypto'

/** A session unused this long is forgotten. */
const IDLE_LIMIT_MS = 5 * 60_000

/**
 * @typedef {{ id: string, userId: string, signedInAt: Date, lastSeenMs: number }} Session
 */

export function createSessions() {
  /** @type {Map<string, Session>} */
  const byId = new Map()
  const sweep = setInterval(() => {
    const oldest = Date.now() - IDLE_LIMIT_MS
    for (const [id, session] of byId) if (session.lastSeenMs < oldest) byId.delete(id)
  }, 30_000)
  sweep.unref()

  /** @param {import('express').Request} req */
  const idOf = (req) =>
    (req.headers.cookie ?? '')
      .split(';')
      .map((part) => part.trim().split('='))
      .find(([name]) => name === 'sid')?.[1]

  return {
    /** @param {import('express').Request} req @returns {Session | null} */
    of(req) {
      const id = idOf(req)
      const session = id === undefined ? undefined : byId.get(id)
      if (session === undefined) return null
      session.lastSeenMs = Date.now()
      return session
    },
    /** @param {import('express').Response} res @param {string} userId */
    start(res, userId) {
      const id = randomBytes(32).toString('base64url')
      byId.set(id, { id, userId, signedInAt: new Date(), lastSeenMs: Date.now() })
      res.cookie('sid', id, { httpOnly: true, sameSite: 'lax', path: '/' })
    },
    /** @param {import('express').Request} req @param {import('express').Response} res */
    end(req, res) {
      const id = idOf(req)
      if (id !== undefined) byId.delete(id)
      res.clearCookie('sid', { path: '/' })
    },
    get size() {
      return byId.size
    },
    close() {
      clearInterval(sweep)
    },
  }
}
