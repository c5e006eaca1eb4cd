import { describe, expect, it } from 'vitest'
import { OAuthError } from '../errors/oauth-error.js'
import {
  createPkce,
  createTestClient,
  createTestServer,
  forEachIssuancePath,
  REDIRECT_URI,
  rejectionOf,
} from '../test-support/test-server.js'
import type { InteractionUser } from './begin-authorization.js'

const ALICE: InteractionUser = { user: 'alice', session: 'alice-session' }

/** A consent screen shown to Alice, and its ticket. */
async function consentShown() {
  const test = createTestServer()
  const client = await createTestClient(test.server)
  const { challenge } = await createPkce()
  const parameters = new URLSearchParams({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    state: 'st-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString()
  const step = await test.server.beginAuthorization({ parameters, signedIn: ALICE })
  if (step.kind !== 'consent') throw new Error(`expected consent, got ${step.kind}`)
  return { ...test, client, ticket: step.ticket }
}

async function refused(promise: Promise<unknown>): Promise<void> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OAuthError)
  expect((error as OAuthError).code).toBe('invalid_request')
  // Shown, never redirected: nothing in a used ticket goes back to the client.
  expect((error as OAuthError).redirect).toBeUndefined()
}

const approved = (events: readonly { type: string }[]) =>
  events.filter((event) => event.type === 'OAuthAuthorizationApproved')

forEachIssuancePath(() => {
  describe('answerConsent: a consent ticket is answered once', () => {
    it('one ticket approved twice: the second is refused, one code issued', async () => {
      const { server, ticket, events } = await consentShown()
      const first = await server.answerConsent({ ticket, answer: 'approve', signedIn: ALICE })
      expect(new URL(first.redirectUrl).searchParams.get('code')).toEqual(expect.any(String))
      await refused(server.answerConsent({ ticket, answer: 'approve', signedIn: ALICE }))
      expect(approved(events)).toHaveLength(1)
    })

    it('approve then deny (or deny then approve) with one ticket: the second answer is refused', async () => {
      const approvedFirst = await consentShown()
      await approvedFirst.server.answerConsent({
        ticket: approvedFirst.ticket,
        answer: 'approve',
        signedIn: ALICE,
      })
      await refused(
        approvedFirst.server.answerConsent({ ticket: approvedFirst.ticket, answer: 'deny', signedIn: ALICE }),
      )
      const deniedFirst = await consentShown()
      const denied = await deniedFirst.server.answerConsent({
        ticket: deniedFirst.ticket,
        answer: 'deny',
        signedIn: ALICE,
      })
      expect(new URL(denied.redirectUrl).searchParams.get('error')).toBe('access_denied')
      await refused(
        deniedFirst.server.answerConsent({ ticket: deniedFirst.ticket, answer: 'approve', signedIn: ALICE }),
      )
      expect(approved(deniedFirst.events)).toEqual([])
    })

    it('50 concurrent approvals of one ticket: exactly one code, the other 49 refused', async () => {
      const { server, ticket, events } = await consentShown()
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () =>
          server.answerConsent({ ticket, answer: 'approve', signedIn: ALICE }),
        ),
      )
      const codes = results.filter((result) => result.status === 'fulfilled')
      expect(codes).toHaveLength(1)
      for (const result of results) {
        if (result.status === 'rejected') expect((result.reason as OAuthError).code).toBe('invalid_request')
      }
      expect(approved(events)).toHaveLength(1)
    })

    it('an approval that fails (scopes beyond the request) leaves the ticket unused: it can still be answered', async () => {
      const { server, ticket } = await consentShown()
      const tooMuch = await rejectionOf(
        server.answerConsent({ ticket, answer: 'approve', signedIn: ALICE, scopes: ['invoices.write'] }),
      )
      expect((tooMuch as OAuthError).code).toBe('invalid_scope')
      const answer = await server.answerConsent({ ticket, answer: 'approve', signedIn: ALICE })
      expect(new URL(answer.redirectUrl).searchParams.get('code')).toEqual(expect.any(String))
    })

    it('a changed nonce breaks the MAC: refused, and the genuine ticket still works', async () => {
      const { server, ticket } = await consentShown()
      const fields = new URLSearchParams(ticket)
      fields.set('n', 'A'.repeat(43))
      await refused(server.answerConsent({ ticket: fields.toString(), answer: 'approve', signedIn: ALICE }))
      await expect(
        server.answerConsent({ ticket, answer: 'approve', signedIn: ALICE }),
      ).resolves.toMatchObject({
        redirectUrl: expect.stringContaining('code='),
      })
    })

    it('stores only a hash of the nonce', async () => {
      const { server, ticket, storage } = await consentShown()
      await server.answerConsent({ ticket, answer: 'approve', signedIn: ALICE })
      const nonce = new URLSearchParams(ticket).get('n')!
      // The nonce itself is no longer a fresh ticket nonce: its hash is what was recorded.
      const nonceHash = await server.context.sha256.base64Url(nonce)
      expect(
        await storage.repositories.consentTickets.consume({ nonceHash, expiresAt: new Date() }, new Date()),
      ).toBe(false)
      expect(
        await storage.repositories.consentTickets.consume(
          { nonceHash: nonce, expiresAt: new Date() },
          new Date(),
        ),
      ).toBe(true)
    })

    it('nobody signed in is refused', async () => {
      const { server, ticket } = await consentShown()
      await refused(server.answerConsent({ ticket, answer: 'approve', signedIn: null }))
    })
  })
})
