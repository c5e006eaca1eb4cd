// The files `clients import --file` reads: JSON (an array of objects with the fields of the core's
// `ClientImport`) or CSV (a header row naming those fields, list fields space-separated). Each row
// becomes a `ClientImport` the core checks; what cannot even be read as one is a problem of its row.
import { extname } from 'node:path'
import { CLIENT_PATCH_FIELDS, type ClientImport } from '@sp-oauth/core'
import { CliError } from './cli-error.js'

/** One client of an import file, as read. */
export interface ImportRow {
  /** Its position among the file's clients, from 0. */
  readonly index: number
  /** The CSV line it starts on (the header is line 1); `null` in JSON. */
  readonly line: number | null
  /** What the core gets; fields that could not be read are left out (and named in `problems`). */
  readonly input: ClientImport
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
 * The rows of an import file, by its extension (`.json` or `.csv`).
 *
 * @throws CliError `usage` for another extension, `invalid_input` when the file as a whole cannot
 *   be read (not JSON, not an array, an unknown or missing CSV column)
 */
export function readImportFile(path: string, text: string): ImportRow[] {
  const extension = extname(path).toLowerCase()
  const content = text.replace(/^\uFEFF/, '')
  if (extension === '.json') return readJson(path, content)
  if (extension === '.csv') return readCsv(path, content)
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
      `${path} is not valid JSON (${(error as Error).message}): fix it and run again`,
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
      return { index, line: null, input: {} as ClientImport, problems: ['client: must be a JSON object'] }
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

function readCsv(path: string, text: string): ImportRow[] {
  const records = parseCsv(text)
  const header = records.shift()
  if (!header || header.cells.every((cell) => cell.trim() === '')) {
    throw new CliError(
      'invalid_input',
      `${path} is empty: its first line names the columns (${IMPORT_FIELDS.join(',')})`,
    )
  }
  const columns = header.cells.map((cell) => cell.trim())
  for (const column of columns) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(column)) {
      throw new CliError(
        'invalid_input',
        `${path} line 1: "${column}" is not a client field (columns: ${IMPORT_FIELDS.join(', ')})`,
      )
    }
  }
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
    .map((record, index) => {
      const problems: string[] = []
      if (record.cells.length !== columns.length) {
        problems.push(`row: has ${record.cells.length} cells, the header ${columns.length}`)
      }
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
          else problems.push(`${field}: must be true or false, got ${JSON.stringify(value)}`)
        } else if (NUMBER_FIELDS.includes(field)) {
          if (/^\d+$/.test(value)) input[field] = Number(value)
          else problems.push(`${field}: must be a whole number, got ${JSON.stringify(value)}`)
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
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let cells: string[] = []
  let cell = ''
  let line = 1
  let start = 1
  let quoted = false
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
  if (cell !== '' || cells.length > 0) endRecord()
  return records
}
