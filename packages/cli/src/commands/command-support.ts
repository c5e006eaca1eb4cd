import { type Command, InvalidArgumentError } from 'commander'
import type { Session } from '../session.js'

/** Runs a command's work in a session, reports its failure and closes what it opened. */
export type Execute = (command: Command, work: (session: Session) => Promise<void>) => Promise<void>

/** Adds an "Examples:" section to the command's `--help`. */
export function examples(command: Command, lines: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`)
}

/** A repeatable option's values, in order. */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value]
}

/** A repeatable option whose values may also be given space- or comma-separated (grants, scopes). */
export function collectWords(value: string, previous: readonly string[] = []): string[] {
  return [...previous, ...value.split(/[\s,]+/).filter((word) => word !== '')]
}

/** A whole number of at least 1. */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a whole number of at least 1.')
  }
  return Number(value)
}
