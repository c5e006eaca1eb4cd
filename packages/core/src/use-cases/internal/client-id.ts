/**
 * What a client id can be: the UUIDs `createClient` makes, or an id `importClient` brought over
 * from another server, 1 to 128 visible ASCII characters (RFC 6749 Appendix A.1, without spaces;
 * short enough for every key column, `client:<id>` outbox aggregates included). Anything else
 * names no client and never reaches storage.
 */
const CLIENT_ID = /^[\x21-\x7e]{1,128}$/

export function isClientId(value: string): boolean {
  return typeof value === 'string' && CLIENT_ID.test(value)
}
