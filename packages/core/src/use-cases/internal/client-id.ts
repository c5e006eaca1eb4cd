/** Client ids are UUIDs; anything else names no client and never reaches storage. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isClientId(value: string): boolean {
  return UUID.test(value)
}
