import type { ClientCreatedEvent } from '@sp-oauth/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { logListenerError } from './log-listener-error.js'

const event: ClientCreatedEvent = {
  type: 'OAuthClientCreated',
  id: 'c0ffee00-0000-4000-8000-000000000001',
  occurredAt: new Date('2025-01-02T03:04:05.000Z'),
  clientId: 'client-payload-marker',
  name: 'name-payload-marker',
  confidential: true,
}

function logged(error: unknown, listener = 'listener #1'): string {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
  logListenerError(error, { event, listener })
  expect(spy).toHaveBeenCalledTimes(1)
  const args = spy.mock.calls[0] ?? []
  expect(args).toHaveLength(1)
  expect(typeof args[0]).toBe('string')
  return args[0] as string
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('logListenerError', () => {
  it('names the event type, event id and listener, and no other field of the event', () => {
    const line = logged(new Error('boom'), 'audit-log')
    expect(line).toBe(
      '[@sp-oauth/events] audit-log failed on OAuthClientCreated event c0ffee00-0000-4000-8000-000000000001: Error: boom',
    )
    expect(line).not.toContain('payload-marker')
  })

  it('keeps at most 200 characters of String(error)', () => {
    const line = logged(`${'x'.repeat(300)}TAIL`)
    expect(line).toContain('x'.repeat(200))
    expect(line).not.toContain('x'.repeat(201))
    expect(line).not.toContain('TAIL')
  })

  it('prints String(error), never the properties of the error object', () => {
    const error = Object.assign(new Error('boom'), { accessToken: 'secret-property-marker' })
    expect(logged(error)).not.toContain('secret-property-marker')
  })

  it('stays on one line whatever the error message and listener name hold', () => {
    const line = logged(new Error('first\nsecond\r\nthird\u2028fourth'), 'name\nforged line')
    expect(line).not.toMatch(/[\r\n\u2028\u2029]/)
    expect(line).toContain('first second third fourth')
    expect(line).toContain('name forged line')
  })

  it('prints an error that cannot be turned into a string', () => {
    expect(logged(Object.create(null))).toContain('(unprintable)')
  })
})
