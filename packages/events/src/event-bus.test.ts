import type {
  ClientRevokedEvent,
  EventPublisher,
  OAuthEvent,
  OAuthEventType,
  TokenIssuedEvent,
} from '@sp-oauth/core'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { createEventBus } from './event-bus.js'
import type { ListenerErrorContext } from './listener-error-handler.js'

const OCCURRED_AT = new Date('2025-01-02T03:04:05.000Z')

function tokenIssued(id: string): TokenIssuedEvent {
  return {
    type: 'OAuthTokenIssued',
    id,
    occurredAt: OCCURRED_AT,
    clientId: 'client-payload-marker',
    userId: 'user-payload-marker',
    grantType: 'authorization_code',
    scopes: ['scope-payload-marker'],
    accessTokenId: 'access-token-payload-marker',
    refreshTokenId: 'refresh-token-payload-marker',
    familyId: 'family-payload-marker',
  }
}

function clientRevoked(id: string): ClientRevokedEvent {
  return { type: 'OAuthClientRevoked', id, occurredAt: OCCURRED_AT, clientId: 'client-1' }
}

/** A promise the test settles by hand, to hold a listener open. */
function gate(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open = (): void => {}
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

/** Lets every pending promise callback run: one macrotask turn, not a timed wait. */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Records failures instead of printing them. */
function recordFailures(): {
  readonly failures: Array<{ readonly error: unknown } & ListenerErrorContext>
  readonly onListenerError: (error: unknown, context: ListenerErrorContext) => void
} {
  const failures: Array<{ readonly error: unknown } & ListenerErrorContext> = []
  return { failures, onListenerError: (error, context) => failures.push({ error, ...context }) }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('createEventBus', () => {
  it('is an EventPublisher for the core', async () => {
    const bus = createEventBus()
    const publisher: EventPublisher = bus
    const seen: string[] = []
    bus.subscribeAll((event) => {
      seen.push(event.id)
    })
    await publisher.publish([tokenIssued('e1')])
    expect(seen).toEqual(['e1'])
  })

  it('delivers the events of one publish in order', async () => {
    const bus = createEventBus()
    const seen: string[] = []
    bus.subscribeAll((event) => {
      seen.push(event.id)
    })
    await bus.publish([tokenIssued('e1'), clientRevoked('e2'), tokenIssued('e3')])
    expect(seen).toEqual(['e1', 'e2', 'e3'])
  })

  it('starts the next event only after every listener of the previous one has settled', async () => {
    const bus = createEventBus()
    const held = gate()
    const seen: string[] = []
    bus.subscribe('OAuthTokenIssued', async (event) => {
      seen.push(`start ${event.id}`)
      await held.promise
      seen.push(`end ${event.id}`)
    })
    bus.subscribe('OAuthClientRevoked', (event) => {
      seen.push(event.id)
    })
    const published = bus.publish([tokenIssued('e1'), clientRevoked('e2')])
    await drain()
    expect(seen).toEqual(['start e1'])
    held.open()
    await published
    expect(seen).toEqual(['start e1', 'end e1', 'e2'])
  })

  it('runs the listeners of one event concurrently, in subscription order', async () => {
    const bus = createEventBus()
    const held = gate()
    const seen: string[] = []
    bus.subscribe('OAuthTokenIssued', async () => {
      seen.push('first start')
      await held.promise
      seen.push('first end')
    })
    bus.subscribeAll(() => {
      seen.push('second')
    })
    bus.subscribe('OAuthTokenIssued', () => {
      seen.push('third')
    })
    const published = bus.publish([tokenIssued('e1')])
    await drain()
    expect(seen).toEqual(['first start', 'second', 'third'])
    held.open()
    await published
    expect(seen).toEqual(['first start', 'second', 'third', 'first end'])
  })

  it('resolves publish only after every listener has settled', async () => {
    const bus = createEventBus()
    const held = gate()
    let listenerDone = false
    bus.subscribe('OAuthTokenIssued', async () => {
      await held.promise
      listenerDone = true
    })
    let publishDone = false
    const published = bus.publish([tokenIssued('e1')]).then(() => {
      publishDone = true
    })
    await drain()
    expect(publishDone).toBe(false)
    held.open()
    await published
    expect(listenerDone).toBe(true)
  })

  it('resolves at once when no event or no listener is there', async () => {
    const bus = createEventBus()
    await expect(bus.publish([])).resolves.toBeUndefined()
    await expect(bus.publish([tokenIssued('e1')])).resolves.toBeUndefined()
  })

  it('gives a typed listener only the events of its type', async () => {
    const bus = createEventBus()
    const issued: string[] = []
    const revoked: string[] = []
    bus.subscribe('OAuthTokenIssued', (event) => {
      expectTypeOf(event).toEqualTypeOf<TokenIssuedEvent>()
      issued.push(`${event.id}:${event.accessTokenId}`)
    })
    bus.subscribe('OAuthClientRevoked', (event) => {
      expectTypeOf(event).toEqualTypeOf<ClientRevokedEvent>()
      revoked.push(event.id)
    })
    await bus.publish([tokenIssued('e1'), clientRevoked('e2'), tokenIssued('e3')])
    expect(issued).toEqual(['e1:access-token-payload-marker', 'e3:access-token-payload-marker'])
    expect(revoked).toEqual(['e2'])
  })

  it('gives a subscribeAll listener every event', async () => {
    const bus = createEventBus()
    const seen: string[] = []
    bus.subscribeAll((event) => {
      expectTypeOf(event).toEqualTypeOf<OAuthEvent>()
      seen.push(`${event.type}:${event.id}`)
    })
    await bus.publish([tokenIssued('e1'), clientRevoked('e2')])
    expect(seen).toEqual(['OAuthTokenIssued:e1', 'OAuthClientRevoked:e2'])
  })

  it('stops calling a listener once it unsubscribes, and a second unsubscribe does nothing', async () => {
    const bus = createEventBus()
    const typed: string[] = []
    const all: string[] = []
    const other: string[] = []
    const unsubscribeTyped = bus.subscribe('OAuthTokenIssued', (event) => {
      typed.push(event.id)
    })
    const unsubscribeAll = bus.subscribeAll((event) => {
      all.push(event.id)
    })
    bus.subscribe('OAuthTokenIssued', (event) => {
      other.push(event.id)
    })
    await bus.publish([tokenIssued('e1')])
    unsubscribeTyped()
    unsubscribeAll()
    unsubscribeTyped()
    unsubscribeAll()
    await bus.publish([tokenIssued('e2')])
    expect(typed).toEqual(['e1'])
    expect(all).toEqual(['e1'])
    expect(other).toEqual(['e1', 'e2'])
  })

  it('keeps a listener on the event in flight when it is unsubscribed during that event', async () => {
    const bus = createEventBus()
    const seen: string[] = []
    let unsubscribeSecond = (): void => {}
    bus.subscribe('OAuthTokenIssued', (event) => {
      seen.push(`first ${event.id}`)
      unsubscribeSecond()
    })
    unsubscribeSecond = bus.subscribe('OAuthTokenIssued', (event) => {
      seen.push(`second ${event.id}`)
    })
    await bus.publish([tokenIssued('e1'), tokenIssued('e2')])
    expect(seen).toEqual(['first e1', 'second e1', 'first e2'])
  })

  it('keeps a subscribeAll listener on the event in flight when it is unsubscribed during that event', async () => {
    const bus = createEventBus()
    const seen: string[] = []
    let unsubscribeSecond = (): void => {}
    bus.subscribeAll((event) => {
      seen.push(`first ${event.id}`)
      unsubscribeSecond()
    })
    unsubscribeSecond = bus.subscribeAll((event) => {
      seen.push(`second ${event.id}`)
    })
    bus.subscribeAll((event) => {
      seen.push(`third ${event.id}`)
    })
    await bus.publish([clientRevoked('e1'), clientRevoked('e2')])
    expect(seen).toEqual(['first e1', 'second e1', 'third e1', 'first e2', 'third e2'])
  })

  it('keeps a listener subscribed during an event off that event', async () => {
    const bus = createEventBus()
    const seen: string[] = []
    let subscribed = false
    bus.subscribeAll((event) => {
      seen.push(`first ${event.id}`)
      if (subscribed) return
      subscribed = true
      bus.subscribeAll((later) => {
        seen.push(`later ${later.id}`)
      })
    })
    await bus.publish([tokenIssued('e1'), tokenIssued('e2')])
    expect(seen).toEqual(['first e1', 'first e2', 'later e2'])
  })

  it('makes two subscriptions of the same function, each unsubscribed on its own', async () => {
    const bus = createEventBus()
    const seen: string[] = []
    const listener = (event: TokenIssuedEvent): void => {
      seen.push(event.id)
    }
    const unsubscribeOne = bus.subscribe('OAuthTokenIssued', listener)
    bus.subscribe('OAuthTokenIssued', listener)
    expect(bus.listenerCount('OAuthTokenIssued')).toBe(2)
    await bus.publish([tokenIssued('e1')])
    unsubscribeOne()
    await bus.publish([tokenIssued('e2')])
    expect(seen).toEqual(['e1', 'e1', 'e2'])
  })

  it('isolates a listener that throws synchronously', async () => {
    const { failures, onListenerError } = recordFailures()
    const bus = createEventBus({ onListenerError })
    const seen: string[] = []
    const boom = new Error('sync boom')
    bus.subscribe('OAuthTokenIssued', (event) => {
      seen.push(`before ${event.id}`)
    })
    bus.subscribe(
      'OAuthTokenIssued',
      () => {
        throw boom
      },
      { name: 'audit-log' },
    )
    bus.subscribeAll((event) => {
      seen.push(`after ${event.id}`)
    })
    const first = tokenIssued('e1')
    await expect(bus.publish([first, tokenIssued('e2')])).resolves.toBeUndefined()
    expect(seen).toEqual(['before e1', 'after e1', 'before e2', 'after e2'])
    expect(failures).toHaveLength(2)
    expect(failures[0]).toEqual({ error: boom, event: first, listener: 'audit-log' })
    expect(failures[0]?.event).toBe(first)
    expect(failures[1]?.event.id).toBe('e2')
  })

  it('isolates a listener that rejects, and names it listener #N by default', async () => {
    const { failures, onListenerError } = recordFailures()
    const bus = createEventBus({ onListenerError })
    const seen: string[] = []
    const boom = new Error('async boom')
    bus.subscribeAll((event) => {
      seen.push(`all ${event.id}`)
    })
    bus.subscribe('OAuthClientRevoked', async () => {
      await Promise.resolve()
      throw boom
    })
    bus.subscribe('OAuthClientRevoked', async (event) => {
      await Promise.resolve()
      seen.push(`revoked ${event.id}`)
    })
    const event = clientRevoked('e1')
    await expect(bus.publish([event])).resolves.toBeUndefined()
    expect(seen).toEqual(['all e1', 'revoked e1'])
    expect(failures).toEqual([{ error: boom, event, listener: 'listener #2' }])
  })

  it('swallows whatever onListenerError throws or rejects with', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason)
    }
    process.on('unhandledRejection', onUnhandled)
    try {
      const calls: string[] = []
      const throwing = createEventBus({
        onListenerError: (_error, context) => {
          calls.push(`throwing ${context.event.id}`)
          throw new Error('handler boom')
        },
      })
      const rejecting = createEventBus({
        onListenerError: async (_error, context) => {
          calls.push(`rejecting ${context.event.id}`)
          throw new Error('async handler boom')
        },
      })
      for (const bus of [throwing, rejecting]) {
        bus.subscribeAll(() => {
          throw new Error('listener boom')
        })
        bus.subscribeAll((event) => {
          calls.push(`listener ${event.id}`)
        })
      }
      await expect(throwing.publish([tokenIssued('e1'), tokenIssued('e2')])).resolves.toBeUndefined()
      await expect(rejecting.publish([tokenIssued('e3')])).resolves.toBeUndefined()
      await drain()
      expect(calls).toEqual([
        'throwing e1',
        'listener e1',
        'throwing e2',
        'listener e2',
        'rejecting e3',
        'listener e3',
      ])
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('by default prints one line with the event type, event id and listener name, without the payload', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const bus = createEventBus()
    const calls: string[] = []
    bus.subscribe(
      'OAuthTokenIssued',
      () => {
        throw new Error('listener failed\nsecond line')
      },
      { name: 'webhook' },
    )
    bus.subscribe('OAuthTokenIssued', (event) => {
      calls.push(event.id)
    })
    await expect(bus.publish([tokenIssued('0b5e4a2c-5f0e-4d41-9c2a-6f3f1f1b9a10')])).resolves.toBeUndefined()
    expect(calls).toEqual(['0b5e4a2c-5f0e-4d41-9c2a-6f3f1f1b9a10'])
    expect(error).toHaveBeenCalledTimes(1)
    const args = error.mock.calls[0] ?? []
    expect(args).toHaveLength(1)
    const line = args[0]
    expect(typeof line).toBe('string')
    expect(line).not.toMatch(/[\r\n]/)
    expect(line).toContain('OAuthTokenIssued')
    expect(line).toContain('0b5e4a2c-5f0e-4d41-9c2a-6f3f1f1b9a10')
    expect(line).toContain('webhook')
    expect(line).toContain('Error: listener failed second line')
    expect(line).not.toContain('payload-marker')
  })

  it('throws a TypeError naming an unknown event type at subscribe time', () => {
    const bus = createEventBus()
    // @ts-expect-error: not an event type
    expect(() => bus.subscribe('OAuthTokenIssuedd', () => {})).toThrow(TypeError)
    expect(() => bus.subscribe('OAuthTokenIssuedd' as OAuthEventType, () => {})).toThrow(
      /"OAuthTokenIssuedd"/,
    )
    expect(() => bus.listenerCount('Nope' as OAuthEventType)).toThrow(/"Nope"/)
    expect(bus.listenerCount()).toBe(0)
  })

  it('throws a TypeError when the listener is not a function', () => {
    const bus = createEventBus()
    expect(() => bus.subscribe('OAuthTokenIssued', 'nope' as unknown as () => void)).toThrow(TypeError)
    expect(() => bus.subscribeAll(null as unknown as () => void)).toThrow(TypeError)
    expect(bus.listenerCount()).toBe(0)
  })

  it('counts subscriptions, and the listeners an event of one type reaches', () => {
    const bus = createEventBus()
    expect(bus.listenerCount()).toBe(0)
    expect(bus.listenerCount('OAuthTokenIssued')).toBe(0)
    const unsubscribeIssued = bus.subscribe('OAuthTokenIssued', () => {})
    bus.subscribe('OAuthTokenIssued', () => {})
    bus.subscribe('OAuthClientRevoked', () => {})
    const unsubscribeAll = bus.subscribeAll(() => {})
    expect(bus.listenerCount()).toBe(4)
    expect(bus.listenerCount('OAuthTokenIssued')).toBe(3)
    expect(bus.listenerCount('OAuthClientRevoked')).toBe(2)
    expect(bus.listenerCount('OAuthClientCreated')).toBe(1)
    unsubscribeIssued()
    unsubscribeAll()
    expect(bus.listenerCount()).toBe(2)
    expect(bus.listenerCount('OAuthTokenIssued')).toBe(1)
    expect(bus.listenerCount('OAuthClientCreated')).toBe(0)
  })
})
