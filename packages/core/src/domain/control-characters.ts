// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/

/**
 * Whether `value` holds a control character. Such values are refused wherever text reaches
 * storage or a redirect: a NUL byte is cut or refused by some databases, and a newline can split
 * a header or a log line.
 */
export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value)
}
