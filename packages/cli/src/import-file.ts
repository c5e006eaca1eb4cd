// The files `clients import --file` reads: JSON (an array of objects with the fields of the core's
// `ClientImport`) or CSV (a header row naming those fields, list fields space-separated). Each row
// becomes a `ClientImport` the core checks; what cannot even be read as one is a problem of its row.
// The file holds secrets: no message quotes a cell that may be one (see `readCsv`, `readJson`).
import { readFileSync, statSync } from 'node:fs'
import { extname } from 'node:path'
import { CLIENT_PATCH_FIELDS, type ClientImport } from '@sp-oauth/core'
import { CliError } from './cli-error.js'

/** One client of an import file, as read. */
export interface ImportRow {
  /** Its position among the file's clients, from 0. */
  readonly index: number
  /** The CSV line it starts on (the header is line 1); `null` in JSON. */
  readonly line: number | null
  /**
   * What the core gets; fields that could not be read are left out (and named in `problems`).
   * `null` when the row cannot be read as a client at all (not a JSON object, a CSV row whose
   * cells do not line up with the header): nothing of it is checked or quoted.
   */
  readonly input: ClientImport | null
  /** What is wrong with the row as written, `field: message`. */
  readonly problems: readonly string[]
}

/** Every field of an import row, in the CSV header's customary order. */
export const IMPORT_FIELDS = [
  'id',
  'name',
  'confidential',
  'secret',
  ...CLIENT_PATCH_FIELDS.filter((field) => field !== 'name'),
  'createdAt',
] as const

type ImportField = (typeof IMPORT_FIELDS)[number]

const LIST_FIELDS: readonly ImportField[] = ['redirectUris', 'allowedGrants', 'allowedScopes']
const BOOLEAN_FIELDS: readonly ImportField[] = ['confidential', 'silentConsent', 'resourceServer']
const NUMBER_FIELDS: readonly ImportField[] = ['accessTokenTtlMinutes', 'refreshTokenTtlDays']
const REQUIRED_COLUMNS: readonly ImportField[] = ['id', 'name', 'confidential']

/**
 * The largest import file read: far more clients than a server has (a client is a few hundred
 * bytes), small enough to read and check in memory.
 */
export const MAX_IMPORT_FILE_BYTES = 64 * 1024 * 1024

/**
 * Reads the import file at `path`: UTF-8 (a BOM allowed), at most {@link MAX_IMPORT_FILE_BYTES}.
 *
 * @throws CliError `usage` when it cannot be read or is too large, `invalid_input` when it is not
 *   UTF-8 or cannot be read as a whole (see {@link readImportFile})
 */
export function loadImportFile(path: string): ImportRow[] {
  formatOf(path)
  let bytes: Buffer
  try {
    const size = statSync(path).size
    if (size > MAX_IMPORT_FILE_BYTES) {
      throw new CliError(
        'usage',
        `--file ${path} is ${mebibytes(size)} MiB; an import file may hold at most ${mebibytes(MAX_IMPORT_FILE_BYTES)} MiB: split it and import each part`,
      )
    }
    bytes = readFileSync(path)
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(
      'usage',
      `cannot read --file ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}): check the path`,
    )
  }
  let text: string
  try {
    // `fatal`: a file in another encoding would otherwise be read with U+FFFD in place of what
    // it says, and a client imported with a garbled name.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new CliError(
      'invalid_input',
      `${path} is not UTF-8 text: save it as UTF-8 (e.g. "CSV UTF-8" in a spreadsheet) and run again`,
    )
  }
  return readImportFile(path, text)
}

function mebibytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')
}

/**
 * The rows of an import file, by its extension (`.json` or `.csv`).
 *
 * @throws CliError `usage` for another extension, `invalid_input` when the file as a whole cannot
 *   be read (not JSON, not an array, an unknown or missing CSV column)
 */
export function readImportFile(path: string, text: string): ImportRow[] {
  const content = text.replace(/^\uFEFF/, '')
  return formatOf(path) === 'json' ? readJson(path, content) : readCsv(path, content)
}

function formatOf(path: string): 'json' | 'csv' {
  const extension = extname(path).toLowerCase()
  if (extension === '.json') return 'json'
  if (extension === '.csv') return 'csv'
  throw new CliError(
    'usage',
    `--file ${path}: name a .json file (an array of clients) or a .csv file (a header row, then one client a line)`,
  )
}

function readJson(path: string, text: string): ImportRow[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new CliError(
      'invalid_input',
      `${path} is not valid JSON${jsonErrorPlace(text, error)}: fix it and run again`,
    )
  }
  if (!Array.isArray(parsed)) {
    throw new CliError(
      'invalid_input',
      `${path} must hold a JSON array of clients, [{ "id": …, "name": … }, …]`,
    )
  }
  return parsed.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return { index, line: null, input: null, problems: ['client: must be a JSON object'] }
    }
    const problems: string[] = []
    const input: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(item)) {
      if (!(IMPORT_FIELDS as readonly string[]).includes(field)) {
        problems.push(`${field}: not a client field (fields: ${IMPORT_FIELDS.join(', ')})`)
      } else if (field === 'createdAt') {
        const date = typeof value === 'string' ? new Date(value) : null
        if (date === null || !Number.isFinite(date.getTime())) {
          problems.push('createdAt: must be an ISO 8601 date, e.g. 2024-03-01T12:00:00Z')
        } else {
          input.createdAt = date
        }
      } else {
        // Every other field is checked by the core, which takes untyped input.
        input[field] = value
      }
    }
    return { index, line: null, input: input as unknown as ClientImport, problems }
  })
}

/**
 * ` (line 3, column 14)`: where JSON.parse stopped, when it says. Never its message, which quotes
 * the text around the error: a secret, in an import file.
 */
function jsonErrorPlace(text: string, error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1]
  if (position === undefined) return ''
  const before = text.slice(0, Number(position)).split('\n')
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`
}

function readCsv(path: string, text: string): ImportRow[] {
  let records: CsvRecord[]
  try {
    records = parseCsv(text)
  } catch (error) {
    if (error instanceof CliError) throw new CliError(error.code, `${path} ${error.message}`)
    throw error
  }
  const header = records.shift()
  if (!header || header.cells.every((cell) => cell.trim() === '')) {
    throw new CliError(
      'invalid_input',
      `${path} is empty: its first line names the columns (${IMPORT_FIELDS.join(',')})`,
    )
  }
  const columns = header.cells.map((cell) => cell.trim())
  columns.forEach((column, position) => {
    if (!(IMPORT_FIELDS as readonly string[]).includes(column)) {
      // Quoted only when it reads as a column name: in a file without a header, line 1 is a client.
      const named = /^[A-Za-z_ ]{1,40}$/.test(column) ? ` ("${column}")` : ''
      throw new CliError(
        'invalid_input',
        `${path} line 1: column ${position + 1}${named} is not a client field; the first line names the columns (${IMPORT_FIELDS.join(', ')})`,
      )
    }
  })
  const duplicate = columns.find((column, index) => columns.indexOf(column) !== index)
  if (duplicate) throw new CliError('invalid_input', `${path} line 1: the column "${duplicate}" comes twice`)
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.includes(column))
  if (missing.length > 0) {
    throw new CliError(
      'invalid_input',
      `${path} line 1: the header needs the column(s) ${missing.join(', ')}`,
    )
  }
  return records
    .filter((record) => !(record.cells.length === 1 && record.cells[0]!.trim() === ''))
    .map((record, index): ImportRow => {
      if (record.cells.length !== columns.length) {
        // Its cells cannot be matched to the columns, and read anyway a secret could land in a
        // column whose problem quotes the value (the core's do, for grants and scopes).
        const problem = `row: has ${record.cells.length} cells, the header ${columns.length} (quote a cell that holds a comma)`
        return { index, line: record.line, input: null, problems: [problem] }
      }
      // No problem quotes a cell: in a column mislabelled by the header it may be a secret.
      const problems: string[] = []
      const input: Record<string, unknown> = {}
      columns.forEach((column, position) => {
        const raw = record.cells[position]
        if (raw === undefined) return
        const value = column === 'secret' || column === 'name' ? raw : raw.trim()
        const field = column as ImportField
        if (LIST_FIELDS.includes(field)) {
          input[field] = value.split(/\s+/).filter((item) => item !== '')
        } else if (value === '') {
          // An empty cell: the field's default (no secret, for a public client).
        } else if (BOOLEAN_FIELDS.includes(field)) {
          if (/^(true|false)$/i.test(value)) input[field] = value.toLowerCase() === 'true'
          else problems.push(`${field}: must be true or false`)
        } else if (NUMBER_FIELDS.includes(field)) {
          if (/^\d+$/.test(value)) input[field] = Number(value)
          else problems.push(`${field}: must be a whole number`)
        } else if (field === 'createdAt') {
          const date = new Date(value)
          if (Number.isFinite(date.getTime())) input.createdAt = date
          else problems.push('createdAt: must be an ISO 8601 date, e.g. 2024-03-01T12:00:00Z')
        } else {
          input[field] = value
        }
      })
      return { index, line: record.line, input: input as unknown as ClientImport, problems }
    })
}

/** A CSV record: its cells and the line it starts on. */
interface CsvRecord {
  readonly cells: string[]
  readonly line: number
}

/**
 * RFC 4180: fields separated by commas, records by CRLF or LF; a field in double quotes may hold
 * commas, line breaks and `""` for a quote.
 *
 * @throws CliError `invalid_input` naming the line of a quote never closed (which would otherwise
 *   make the rest of the file one cell)
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let cells: string[] = []
  let cell = ''
  let line = 1
  let start = 1
  let quoted = false
  let quoteLine = 1
  let i = 0
  const endRecord = (): void => {
    cells.push(cell)
    records.push({ cells, line: start })
    cells = []
    cell = ''
  }
  while (i < text.length) {
    const char = text[i]!
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          cell += '"'
          i++
        } else {
          quoted = false
        }
      } else {
        if (char === '\n') line++
        cell += char
      }
    } else if (char === '"' && cell.trim() === '') {
      quoted = true
      quoteLine = line
      cell = ''
    } else if (char === ',') {
      cells.push(cell)
      cell = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++
      endRecord()
      line++
      start = line
    } else {
      cell += char
    }
    i++
  }
  if (quoted) {
    throw new CliError(
      'invalid_input',
      `line ${quoteLine}: a cell opened with a quote (") is never closed: close it, and double each quote inside it ("")`,
    )
  }
  if (cell !== '' || cells.length > 0) endRecord()
  return records
}
