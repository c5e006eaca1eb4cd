// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Whether `value` has a lone surrogate: it is not valid Unicode, so a database storing it as UTF-8
 * replaces it with U+FFFD, and two different values would become one.
 */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value)
}

/**
 * Whether `value` holds a control character. Such values are refused wherever text reaches
 * storage or a redirect: a NUL byte is cut or refused by some databases, and a newline can split
 * a header or a log line.
 */
export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value)
}
