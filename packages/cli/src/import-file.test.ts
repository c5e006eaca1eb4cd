import { describe, expect, it } from 'vitest'
import { parseCsv, readImportFile } from './import-file.js'

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, quotes and line breaks, and the line each record starts on', () => {
    const records = parseCsv('a,b\n"x, y","say ""hi"""\r\n"two\nlines",z\n\nlast,one')
    expect(records).toEqual([
      { cells: ['a', 'b'], line: 1 },
      { cells: ['x, y', 'say "hi"'], line: 2 },
      { cells: ['two\nlines', 'z'], line: 3 },
      { cells: [''], line: 5 },
      { cells: ['last', 'one'], line: 6 },
    ])
  })
})

describe('readImportFile', () => {
  it('reads a CSV file: lists space-separated, booleans, numbers, dates; empty cells take the defaults', () => {
    const rows = readImportFile(
      'clients.csv',
      '\uFEFFid,name,confidential,secret,redirectUris,allowedGrants,allowedScopes,accessTokenTtlMinutes,createdAt\n' +
        'erp,ERP,TRUE,s3cret-of-sixteen-chars,https://a.example.com/cb https://b.example.com/cb,authorization_code,,15,2024-03-01T12:00:00Z\n' +
        '\n' +
        'app,App,false,,,client_credentials,a b,,\n',
    )
    expect(rows).toEqual([
      {
        index: 0,
        line: 2,
        problems: [],
        input: {
          id: 'erp',
          name: 'ERP',
          confidential: true,
          secret: 's3cret-of-sixteen-chars',
          redirectUris: ['https://a.example.com/cb', 'https://b.example.com/cb'],
          allowedGrants: ['authorization_code'],
          allowedScopes: [],
          accessTokenTtlMinutes: 15,
          createdAt: new Date('2024-03-01T12:00:00Z'),
        },
      },
      {
        index: 1,
        line: 4,
        problems: [],
        input: {
          id: 'app',
          name: 'App',
          confidential: false,
          redirectUris: [],
          allowedGrants: ['client_credentials'],
          allowedScopes: ['a', 'b'],
        },
      },
    ])
  })

  it('names what a CSV row cannot be read as: the field, never the value (it may be a secret)', () => {
    const [row] = readImportFile(
      'clients.csv',
      'id,name,confidential,accessTokenTtlMinutes,createdAt\nx,X,yes,ten,yesterday\n',
    )
    expect(row!.problems).toEqual([
      'confidential: must be true or false',
      'accessTokenTtlMinutes: must be a whole number',
      'createdAt: must be an ISO 8601 date, e.g. 2024-03-01T12:00:00Z',
    ])
  })

  it('refuses a CSV header with an unknown, repeated or missing column, naming it', () => {
    expect(() => readImportFile('c.csv', 'id,name,confidential,colour\n')).toThrow(
      'column 4 ("colour") is not a client field',
    )
    expect(() => readImportFile('c.csv', 'id,name,confidential,name\n')).toThrow(
      'the column "name" comes twice',
    )
    expect(() => readImportFile('c.csv', 'id,name\n')).toThrow('needs the column(s) confidential')
    expect(() => readImportFile('c.csv', '')).toThrow('is empty')
  })

  it('reads a JSON array, naming unknown fields and unreadable dates, and refuses anything else', () => {
    const rows = readImportFile(
      'clients.json',
      JSON.stringify([{ id: 'a', name: 'A', confidential: false, colour: 'red', createdAt: 'soon' }, 'nope']),
    )
    expect(rows[0]).toMatchObject({
      index: 0,
      line: null,
      input: { id: 'a', name: 'A', confidential: false },
      problems: [expect.stringMatching(/^colour: not a client field/), expect.stringMatching(/^createdAt: /)],
    })
    expect(rows[1]).toMatchObject({ input: null, problems: ['client: must be a JSON object'] })
    expect(() => readImportFile('clients.json', '{}')).toThrow('must hold a JSON array')
    expect(() => readImportFile('clients.json', '[')).toThrow('is not valid JSON')
    expect(() => readImportFile('clients.txt', '')).toThrow('.json')
  })
})
