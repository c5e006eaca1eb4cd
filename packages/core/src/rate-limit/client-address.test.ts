import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../errors/configuration-error.js'
import { createClientAddressResolver, type TrustProxy } from './client-address.js'

const from = (trustProxy: TrustProxy, remoteAddress: string | undefined, forwardedFor?: string) =>
  createClientAddressResolver(trustProxy)({
    remoteAddress,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  })

describe('createClientAddressResolver', () => {
  it('trustProxy false (the default): the peer, X-Forwarded-For ignored', () => {
    expect(
      createClientAddressResolver()({
        remoteAddress: '198.51.100.9',
        headers: { 'x-forwarded-for': '1.2.3.4' },
      }),
    ).toBe('198.51.100.9')
    expect(from(false, '::ffff:198.51.100.9', '1.2.3.4')).toBe('198.51.100.9')
    expect(from(false, '2001:DB8::9')).toBe('2001:db8::9')
  })

  it('no peer address, or one that is not an IP address: null', () => {
    expect(from(false, undefined)).toBeNull()
    expect(from(1, undefined, '1.2.3.4')).toBeNull()
    expect(from(['10.0.0.0/8'], 'not-an-address', '1.2.3.4')).toBeNull()
  })

  it('one trusted proxy: the address it appended, whatever the client wrote before it', () => {
    expect(from(1, '10.0.0.2', '203.0.113.7')).toBe('203.0.113.7')
    expect(from(1, '10.0.0.2', '6.6.6.6, 203.0.113.7')).toBe('203.0.113.7')
    expect(from(1, '10.0.0.2', '6.6.6.6,203.0.113.7:5123')).toBe('203.0.113.7')
  })

  it('two trusted proxies: the second address from the right', () => {
    expect(from(2, '10.0.0.2', '6.6.6.6, 203.0.113.7, 10.0.0.1')).toBe('203.0.113.7')
    // Fewer addresses than hops: the leftmost.
    expect(from(2, '10.0.0.2', '10.0.0.1')).toBe('10.0.0.1')
    expect(from(3, '10.0.0.2')).toBe('10.0.0.2')
  })

  it('a list of proxies: from the peer leftwards, the first address that is not a proxy', () => {
    const proxies = ['10.0.0.0/8', '2001:db8:ffff::/48', '192.0.2.1']
    expect(from(proxies, '10.0.0.2', '6.6.6.6, 203.0.113.7, 192.0.2.1, 10.9.9.9')).toBe('203.0.113.7')
    expect(from(proxies, '2001:db8:ffff::5', '[2001:db8:1::7]:80')).toBe('2001:db8:1::7')
    // The peer is no proxy: its header is the client's own writing.
    expect(from(proxies, '203.0.113.50', '10.0.0.1, 1.2.3.4')).toBe('203.0.113.50')
    // Every hop a proxy: the leftmost.
    expect(from(proxies, '10.0.0.2', '10.0.0.3, 10.0.0.4')).toBe('10.0.0.3')
    expect(from(proxies, '::ffff:10.0.0.2', '203.0.113.7')).toBe('203.0.113.7')
  })

  it('an entry that is not an address stops the walk at the last trusted hop', () => {
    expect(from(1, '10.0.0.2', 'unknown')).toBe('10.0.0.2')
    expect(from(2, '10.0.0.2', '203.0.113.7, garbage')).toBe('10.0.0.2')
    expect(from(['10.0.0.0/8'], '10.0.0.2', '203.0.113.7, _hidden, 10.0.0.1')).toBe('10.0.0.1')
  })

  it('walks at most 32 hops', () => {
    const chain = Array.from({ length: 40 }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`)
    expect(from(['10.0.0.0/8'], '10.0.0.254', ['203.0.113.7', ...chain].join(', '))).toBe('10.0.0.9')
  })

  it('refuses a setting that is not one of the documented forms, naming trustProxy', () => {
    const problems = (trustProxy: unknown): readonly string[] => {
      try {
        createClientAddressResolver(trustProxy as TrustProxy)
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError)
        return (error as ConfigurationError).problems
      }
      return []
    }
    expect(problems(true)).toEqual([
      'trustProxy: must be false, a number of proxies or a list of proxy addresses and networks (true would let every client choose the address it is limited by)',
    ])
    expect(problems(0)).toEqual(['trustProxy: a number of proxies must be a whole number from 1 to 32'])
    expect(problems(1.5)).toHaveLength(1)
    expect(problems(33)).toHaveLength(1)
    expect(problems([])).toEqual(['trustProxy: list at least one proxy address or network, or use false'])
    expect(problems(['10.0.0.0/8', 'proxy.local', '10.0.0.0/40'])).toEqual([
      'trustProxy[1]: "proxy.local" is not an IP address or CIDR network',
      'trustProxy[2]: "10.0.0.0/40" is not an IP address or CIDR network',
    ])
    expect(problems('10.0.0.1')).toHaveLength(1)
  })
})
