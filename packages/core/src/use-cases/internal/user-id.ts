import { hasControlCharacter, hasLoneSurrogate } from '../../domain/control-characters.js'
import { SpOAuthError } from '../../errors/sp-oauth-error.js'

/** A user as the application names it: its id, or an object with an `id`. */
export type UserReference = string | { readonly id: string | number }

/** The user id as a string; a bad one is the application's bug, not the client's. */
export function userIdOf(user: UserReference): string {
  const id = typeof user === 'string' ? user : String(user.id)
  if (id === '' || id.length > 255 || hasControlCharacter(id) || hasLoneSurrogate(id)) {
    throw new SpOAuthError('A user id must be 1-255 characters of valid Unicode without control characters.')
  }
  return id
}
