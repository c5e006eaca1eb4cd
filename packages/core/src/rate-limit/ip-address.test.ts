import { describe, expect, it } from 'vitest'
import {
  formatIpAddress,
  networkContains,
  networkOf,
  parseForwardedAddress,
  parseIpAddress,
  parseIpNetwork,
} from './ip-address.js'

const canonical = (text: string): string | null => {
  const address = parseIpAddress(text)
  return address ? formatIpAddress(address) : null
}

describe('parseIpAddress and formatIpAddress', () => {
  it('reads dotted IPv4 strictly: four decimal parts 0-255, no leading zeros', () => {
    expect(canonical('203.0.113.7')).toBe('203.0.113.7')
    expect(canonical('0.0.0.0')).toBe('0.0.0.0')
    expect(canonical('255.255.255.255')).toBe('255.255.255.255')
    for (const bad of [
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.-4',
      '1.2.3.4 ',
      '',
      'a.b.c.d',
      '0x7f.0.0.1',
    ]) {
      expect(canonical(bad)).toBeNull()
    }
  })

  it('writes IPv6 as RFC 5952 §4 does: lower case, no leading zeros, the longest zero run as ::', () => {
    expect(canonical('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1')
    expect(canonical('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1')
    expect(canonical('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1')
    expect(canonical('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1')
    expect(canonical('::')).toBe('::')
    expect(canonical('::1')).toBe('::1')
    expect(canonical('fe80::1%eth0')).toBe('fe80::1')
    expect(canonical('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221')
  })

  it('an IPv4-mapped IPv6 address is the IPv4 address (Node reports IPv4 peers so on dual-stack sockets)', () => {
    expect(canonical('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(canonical('::FFFF:cb00:7107')).toBe('203.0.113.7')
  })

  it('refuses what is not an IPv6 address', () => {
    for (const bad of [
      '1::2::3',
      ':1',
      '1:',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      'g::1',
      '::1.2.3',
      '1.2.3.4::',
      '1::2:3:4:5:6:7:8',
    ]) {
      expect(canonical(bad)).toBeNull()
    }
  })
})

describe('parseForwardedAddress', () => {
  it('reads an X-Forwarded-For entry bare, with a port, or bracketed', () => {
    const read = (text: string) => {
      const address = parseForwardedAddress(text)
      return address ? formatIpAddress(address) : null
    }
    expect(read(' 203.0.113.7 ')).toBe('203.0.113.7')
    expect(read('203.0.113.7:4711')).toBe('203.0.113.7')
    expect(read('[2001:db8::1]:443')).toBe('2001:db8::1')
    expect(read('[2001:db8::1]')).toBe('2001:db8::1')
    expect(read('2001:db8::1')).toBe('2001:db8::1')
    expect(read('unknown')).toBeNull()
    expect(read('_hidden')).toBeNull()
  })
})

describe('networks', () => {
  const inNetwork = (network: string, address: string): boolean =>
    networkContains(parseIpNetwork(network)!, parseIpAddress(address)!)

  it('a CIDR network holds exactly the addresses under its prefix', () => {
    expect(inNetwork('10.0.0.0/8', '10.255.1.2')).toBe(true)
    expect(inNetwork('10.0.0.0/8', '11.0.0.1')).toBe(false)
    expect(inNetwork('192.168.1.128/25', '192.168.1.200')).toBe(true)
    expect(inNetwork('192.168.1.128/25', '192.168.1.127')).toBe(false)
    expect(inNetwork('2001:db8::/32', '2001:db8:ffff::1')).toBe(true)
    expect(inNetwork('2001:db8::/32', '2001:db9::1')).toBe(false)
    expect(inNetwork('0.0.0.0/0', '198.51.100.1')).toBe(true)
    expect(inNetwork('127.0.0.1', '127.0.0.1')).toBe(true)
    expect(inNetwork('127.0.0.1', '127.0.0.2')).toBe(false)
    expect(inNetwork('::ffff:10.0.0.0/104', '10.1.2.3')).toBe(true)
  })

  it('IPv4 is never in an IPv6 network, nor the reverse', () => {
    expect(inNetwork('::/0', '10.0.0.1')).toBe(false)
    expect(inNetwork('0.0.0.0/0', '2001:db8::1')).toBe(false)
  })

  it('refuses prefixes out of range', () => {
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/-1',
      '10.0.0.0/',
      '10.0.0.0/08',
      '::/129',
      '::ffff:10.0.0.0/95',
      'x/8',
    ]) {
      expect(parseIpNetwork(bad)).toBeNull()
    }
  })

  it('networkOf keeps the leading bits', () => {
    expect(formatIpAddress(networkOf(parseIpAddress('2001:db8:1:2:3:4:5:6')!, 64))).toBe('2001:db8:1:2::')
    expect(formatIpAddress(networkOf(parseIpAddress('2001:db8:1:2ff:3:4:5:6')!, 56))).toBe('2001:db8:1:200::')
  })
})
