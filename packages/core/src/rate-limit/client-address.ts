import { ConfigurationError } from '../errors/configuration-error.js'
import {
  formatIpAddress,
  type IpAddress,
  type IpNetwork,
  networkContains,
  parseForwardedAddress,
  parseIpAddress,
  parseIpNetwork,
} from './ip-address.js'

/**
 * Which proxies in front of the server may say who the client is, in `X-Forwarded-For`:
 * - `false` (the default): none; the client is the connection's peer and the header is ignored.
 * - a number `n` from 1 to 32: exactly `n` proxies stand in front of the server, each appending the
 *   address it saw, so the client is the `n`-th address from the right (the peer counting as the
 *   first hop). Fewer addresses than that: the leftmost one.
 * - a list of addresses and CIDR networks (`10.0.0.0/8`, `2001:db8::/32`, `127.0.0.1`): the
 *   proxies. From the peer leftwards through the header, the client is the first address that is
 *   not one of them.
 *
 * Only these proxies can set the address a client is limited by; trusting more lets any client
 * choose its own, and so escape its limit. The `Forwarded` header (RFC 7239) is not read.
 */
export type TrustProxy = false | number | readonly string[]

/** What the client address is derived from. */
export interface ClientAddressRequest {
  /** The connection's peer (Node's `socket.remoteAddress`); `undefined` once the socket is gone. */
  readonly remoteAddress: string | null | undefined
  /** Request headers by lower-case name; repeated `X-Forwarded-For` headers joined by commas. */
  readonly headers: Readonly<Record<string, string | undefined>>
}

/**
 * Derives a request's client address: canonical text (dotted IPv4, RFC 5952 IPv6; an IPv4-mapped
 * IPv6 peer as IPv4), or `null` when the peer address is missing or not an IP address. A header
 * entry that is not an address (`unknown`, garbage) stops the walk: the client is then the last
 * trusted hop, limited together with everything behind it.
 */
export type ClientAddressResolver = (request: ClientAddressRequest) => string | null

const MAX_HOPS = 32

/** The problems of a `trustProxy` setting, each as `path: message`. */
export function trustProxyProblems(trustProxy: unknown, path: string): string[] {
  if (trustProxy === false) return []
  if (typeof trustProxy === 'number') {
    return Number.isSafeInteger(trustProxy) && trustProxy >= 1 && trustProxy <= MAX_HOPS
      ? []
      : [`${path}: a number of proxies must be a whole number from 1 to ${MAX_HOPS}`]
  }
  if (Array.isArray(trustProxy)) {
    if (trustProxy.length === 0) return [`${path}: list at least one proxy address or network, or use false`]
    return trustProxy.flatMap((entry: unknown, index) =>
      typeof entry === 'string' && parseIpNetwork(entry.trim()) !== null
        ? []
        : [`${path}[${index}]: ${JSON.stringify(entry)} is not an IP address or CIDR network`],
    )
  }
  return [
    `${path}: must be false, a number of proxies or a list of proxy addresses and networks` +
      (trustProxy === true ? ' (true would let every client choose the address it is limited by)' : ''),
  ]
}

/**
 * A {@link ClientAddressResolver} for `trustProxy`, checked once here so each request only walks
 * the header.
 *
 * @throws ConfigurationError naming `trustProxy` when the setting is not one of the documented forms
 */
export function createClientAddressResolver(trustProxy: TrustProxy = false): ClientAddressResolver {
  const problems = trustProxyProblems(trustProxy, 'trustProxy')
  if (problems.length > 0) throw new ConfigurationError(problems)
  if (trustProxy === false) {
    return ({ remoteAddress }) => {
      const peer = typeof remoteAddress === 'string' ? parseIpAddress(remoteAddress) : null
      return peer ? formatIpAddress(peer) : null
    }
  }
  const proxies: readonly IpNetwork[] =
    typeof trustProxy === 'number' ? [] : trustProxy.map((entry) => parseIpNetwork(entry.trim())!)
  // With a count, hop `n` is trusted to name hop `n + 1`; with a list, a hop is trusted by address.
  const trusts =
    typeof trustProxy === 'number'
      ? (_address: IpAddress, hop: number): boolean => hop <= trustProxy
      : (address: IpAddress): boolean => proxies.some((network) => networkContains(network, address))
  return ({ remoteAddress, headers }) => {
    let client = typeof remoteAddress === 'string' ? parseIpAddress(remoteAddress) : null
    if (!client) return null
    const forwarded = headers['x-forwarded-for']?.split(',') ?? []
    for (let hop = 1; hop <= MAX_HOPS && trusts(client, hop); hop++) {
      const entry = forwarded.pop()
      if (entry === undefined) break
      const named = parseForwardedAddress(entry)
      if (!named) break
      client = named
    }
    return formatIpAddress(client)
  }
}
