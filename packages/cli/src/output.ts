/** Where a command writes: its result on stdout (text, or one JSON document with `--json`), notes on stderr. */
export interface Output {
  readonly json: boolean
  /** A line (or lines) of human output on stdout; ignored with `--json`. */
  line(text?: string): void
  /** The command's one JSON document, with `--json`; ignored without. */
  document(value: unknown): void
  /** A note or progress line on stderr, in both modes. */
  note(text: string): void
}

/** An {@link Output} on two writers (the process's streams, or buffers in tests). */
export function createOutput(
  json: boolean,
  stdout: (text: string) => void,
  stderr: (text: string) => void,
): Output {
  return {
    json,
    line: (text = '') => {
      if (!json) stdout(`${text}\n`)
    },
    document: (value) => {
      if (json) stdout(`${JSON.stringify(value, null, 2)}\n`)
    },
    note: (text) => stderr(`${text}\n`),
  }
}

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd()
  return [render(headers), ...rows.map(render)].join('\n')
}

/** `label  value` lines, labels padded to the widest. */
export function fields(entries: readonly (readonly [string, string])[]): string {
  const width = Math.max(...entries.map(([label]) => label.length))
  return entries.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`.trimEnd()).join('\n')
}

/** `2026-01-02 03:04:05Z`: an ISO instant to the second, for tables. */
export function formatDate(date: Date | null): string {
  if (date === null) return '-'
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z')
}

/** A duration for people: `42 s`, `5 min`, `3 h 20 min`, `12 d 4 h`. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s} s`
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`
  const days = Math.floor(hours / 24)
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`
}

/** A list for a table cell: space-separated, `-` when empty. */
export function list(values: readonly string[]): string {
  return values.length === 0 ? '-' : values.join(' ')
}
