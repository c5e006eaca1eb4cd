// IP addresses and networks, parsed by hand: the core imports nothing from Node (no `node:net`).

/** An IPv4 address (4 bytes) or an IPv6 address (16 bytes); IPv4-mapped IPv6 is IPv4. */
export interface IpAddress {
  readonly bytes: Uint8Array
}

/** A network: an address and how many of its leading bits are fixed. */
export interface IpNetwork {
  readonly address: IpAddress
  readonly prefixLength: number
}

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const bytes = new Uint8Array(4)
  for (const [index, part] of parts.entries()) {
    // No leading zeros: `010` is octal to some parsers and decimal to others.
    if (!IPV4_PART.test(part) || Number(part) > 255) return null
    bytes[index] = Number(part)
  }
  return bytes
}

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split('::')
  if (halves.length > 2) return null
  const groupsOf = (half: string): number[] | null => {
    if (half === '') return []
    const groups: number[] = []
    const parts = half.split(':')
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1 && part.includes('.')) {
        const ipv4 = parseIpv4(part)
        if (!ipv4) return null
        groups.push((ipv4[0]! << 8) | ipv4[1]!, (ipv4[2]! << 8) | ipv4[3]!)
      } else if (IPV6_GROUP.test(part)) {
        groups.push(Number.parseInt(part, 16))
      } else {
        return null
      }
    }
    return groups
  }
  const head = groupsOf(halves[0]!)
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : []
  if (!head || !tail) return null
  // An embedded IPv4 address may only end the address.
  if (halves.length === 2 && halves[0]!.includes('.')) return null
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]
  const bytes = new Uint8Array(16)
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8
    bytes[index * 2 + 1] = group & 0xff
  })
  return bytes
}

/** `::ffff:a.b.c.d`, as Node reports an IPv4 peer on a dual-stack socket. */
function isIpv4Mapped(bytes: Uint8Array): boolean {
  return (
    bytes.length === 16 &&
    bytes.subarray(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  )
}

/**
 * Parses an IPv4 or IPv6 address (an IPv6 zone, `%eth0`, is dropped), or `null` when `text` is not
 * one. IPv4-mapped IPv6 addresses become IPv4, so one peer has one address however it connected.
 */
export function parseIpAddress(text: string): IpAddress | null {
  if (typeof text !== 'string' || text.length > 64) return null
  if (!text.includes(':')) {
    const ipv4 = parseIpv4(text)
    return ipv4 ? { bytes: ipv4 } : null
  }
  const zone = text.indexOf('%')
  const bytes = parseIpv6(zone >= 0 ? text.slice(0, zone) : text)
  if (!bytes) return null
  return { bytes: isIpv4Mapped(bytes) ? bytes.slice(12) : bytes }
}

/**
 * An address as a proxy may write it in `X-Forwarded-For`: bare, IPv4 with a port
 * (`203.0.113.7:4711`), or bracketed IPv6 with or without one (`[2001:db8::1]:443`).
 */
export function parseForwardedAddress(text: string): IpAddress | null {
  const entry = text.trim()
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry)
  if (bracketed) return parseIpAddress(bracketed[1]!)
  const ipv4WithPort = /^([0-9.]+):\d{1,5}$/.exec(entry)
  return parseIpAddress(ipv4WithPort ? ipv4WithPort[1]! : entry)
}

/** An address in its canonical text: dotted IPv4, or IPv6 as RFC 5952 §4 writes it. */
export function formatIpAddress(address: IpAddress): string {
  const { bytes } = address
  if (bytes.length === 4) return bytes.join('.')
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[i * 2]! << 8) | bytes[i * 2 + 1]!)
  // RFC 5952 §4.2: the longest run of two or more zero groups (the first on a tie) becomes `::`.
  let best = { start: -1, length: 1 }
  for (let start = 0; start < 8; ) {
    let end = start
    while (end < 8 && groups[end] === 0) end++
    if (end - start > best.length) best = { start, length: end - start }
    start = end === start ? start + 1 : end
  }
  const hex = groups.map((group) => group.toString(16))
  if (best.start < 0) return hex.join(':')
  const head = hex.slice(0, best.start).join(':')
  const tail = hex.slice(best.start + best.length).join(':')
  return `${head}::${tail}`
}

/** Parses `address/prefixLength`, or a bare address (the network of that one address). */
export function parseIpNetwork(text: string): IpNetwork | null {
  if (typeof text !== 'string') return null
  const slash = text.indexOf('/')
  const address = parseIpAddress(slash < 0 ? text : text.slice(0, slash))
  if (!address) return null
  if (slash < 0) return { address, prefixLength: address.bytes.length * 8 }
  const written = text.slice(slash + 1)
  const writtenBits = text.slice(0, slash).includes(':') ? 128 : 32
  if (!/^(0|[1-9][0-9]{0,2})$/.test(written) || Number(written) > writtenBits) return null
  // An IPv4-mapped network (`::ffff:10.0.0.0/104`) is the IPv4 network it maps; a wider one is refused.
  const prefixLength = Number(written) - (writtenBits - address.bytes.length * 8)
  return prefixLength < 0 ? null : { address, prefixLength }
}

/** Whether `address` is in `network` (an IPv4 address is never in an IPv6 network, nor the reverse). */
export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  const a = network.address.bytes
  const b = address.bytes
  if (a.length !== b.length) return false
  let bits = network.prefixLength
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if ((a[i]! & mask) !== (b[i]! & mask)) return false
  }
  return true
}

/** The first `prefixLength` bits of `address`, the rest zero. */
export function networkOf(address: IpAddress, prefixLength: number): IpAddress {
  const bytes = new Uint8Array(address.bytes.length)
  let bits = prefixLength
  for (let i = 0; i < bytes.length && bits > 0; i++, bits -= 8) {
    bytes[i] = address.bytes[i]! & (bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff)
  }
  return { bytes }
}
