import { describe, expect, it } from 'vitest'
import { DuplicateKeyError, MemoryTable } from './memory-table.js'

interface Row {
  readonly id: string
  readonly hash: string | null
  readonly value: number
}

function createTable(): MemoryTable<Row> {
  return new MemoryTable<Row>({ key: (row) => row.id, unique: { hash: (row) => row.hash } })
}

describe('MemoryTable', () => {
  it('insert: a duplicate key or unique value throws DuplicateKeyError; null unique values may repeat', () => {
    const table = createTable()
    table.insert({ id: 'a', hash: 'h1', value: 1 })
    expect(() => table.insert({ id: 'a', hash: 'h2', value: 2 })).toThrow(DuplicateKeyError)
    expect(() => table.insert({ id: 'b', hash: 'h1', value: 2 })).toThrow(DuplicateKeyError)
    table.insert({ id: 'c', hash: null, value: 3 })
    table.insert({ id: 'd', hash: null, value: 4 })
    expect(table.filter(() => true).map((row) => row.id)).toEqual(['a', 'c', 'd'])
  })

  it('put: a row whose unique value changes frees the old value', () => {
    const table = createTable()
    table.insert({ id: 'a', hash: 'h1', value: 1 })
    table.put({ id: 'a', hash: 'h2', value: 1 })
    expect(table.findUnique('hash', 'h1')).toBeNull()
    expect(table.findUnique('hash', 'h2')).toEqual({ id: 'a', hash: 'h2', value: 1 })
    table.insert({ id: 'b', hash: 'h1', value: 2 })
    expect(table.findUnique('hash', 'h1')?.id).toBe('b')
  })

  it('delete: returns whether the row existed, and frees its unique value', () => {
    const table = createTable()
    table.insert({ id: 'a', hash: 'h1', value: 1 })
    expect(table.delete('a')).toBe(true)
    expect(table.delete('a')).toBe(false)
    expect(table.findUnique('hash', 'h1')).toBeNull()
  })
})

describe('StagedTable', () => {
  it('writes are seen by the stage at once and by the table only after commit', () => {
    const table = createTable()
    table.insert({ id: 'a', hash: 'h1', value: 1 })
    const stage = table.stage()
    stage.insert({ id: 'b', hash: 'h2', value: 2 })
    stage.put({ id: 'a', hash: 'h1', value: 10 })
    expect(stage.get('b')?.value).toBe(2)
    expect(stage.findUnique('hash', 'h1')?.value).toBe(10)
    expect(table.get('b')).toBeNull()
    expect(table.get('a')?.value).toBe(1)
    stage.commit()
    expect(table.get('b')?.value).toBe(2)
    expect(table.findUnique('hash', 'h1')?.value).toBe(10)
  })

  it('a row whose unique value changes in the stage no longer matches the old value, which may be reused', () => {
    const table = createTable()
    table.insert({ id: 'a', hash: 'h1', value: 1 })
    const stage = table.stage()
    stage.put({ id: 'a', hash: 'h2', value: 1 })
    expect(stage.findUnique('hash', 'h1')).toBeNull()
    stage.insert({ id: 'b', hash: 'h1', value: 2 })
    stage.commit()
    expect(table.findUnique('hash', 'h1')?.id).toBe('b')
    expect(table.findUnique('hash', 'h2')?.id).toBe('a')
  })

  it('insert: rejects duplicates of committed and of staged rows, but not of rows deleted in the stage', () => {
    const table = createTable()
    table.insert({ id: 'a', hash: 'h1', value: 1 })
    const stage = table.stage()
    expect(() => stage.insert({ id: 'a', hash: 'h9', value: 2 })).toThrow(DuplicateKeyError)
    expect(() => stage.insert({ id: 'x', hash: 'h1', value: 2 })).toThrow(DuplicateKeyError)
    stage.insert({ id: 'b', hash: 'h2', value: 2 })
    expect(() => stage.insert({ id: 'c', hash: 'h2', value: 3 })).toThrow(DuplicateKeyError)
    expect(stage.delete('a')).toBe(true)
    stage.insert({ id: 'a', hash: 'h1', value: 5 })
    stage.commit()
    expect(table.get('a')?.value).toBe(5)
  })

  it('filter: staged rows replace committed ones and rows deleted in the stage are gone', () => {
    const table = createTable()
    table.insert({ id: 'a', hash: 'h1', value: 1 })
    table.insert({ id: 'b', hash: 'h2', value: 2 })
    const stage = table.stage()
    stage.put({ id: 'a', hash: 'h1', value: 10 })
    stage.delete('b')
    stage.insert({ id: 'c', hash: 'h3', value: 3 })
    expect(stage.filter(() => true).map((row) => [row.id, row.value])).toEqual([
      ['a', 10],
      ['c', 3],
    ])
    expect(stage.delete('b')).toBe(false)
    stage.commit()
    expect(table.filter(() => true).map((row) => row.id)).toEqual(['a', 'c'])
  })
})
