import { CompiledQuery } from 'kysely'
import { describe, expect, it } from 'vitest'
import { compiledShapes } from './compiled-shapes.js'

describe('compiledShapes', () => {
  it('builds a shape once and fills its slots with each call’s values, constants kept', () => {
    const statements = compiledShapes<unknown>()
    let builds = 0
    const build = (slot: (name: string) => never) => {
      builds += 1
      return CompiledQuery.raw('select $1, $2, $3', [slot('a'), 7, slot('b')])
    }
    const first = statements(
      'one',
      build,
      new Map<string, unknown>([
        ['a', 'x'],
        ['b', 'y'],
      ]),
    )
    const second = statements(
      'one',
      build,
      new Map<string, unknown>([
        ['a', 1],
        ['b', null],
      ]),
    )
    expect(first.parameters).toEqual(['x', 7, 'y'])
    expect(second.parameters).toEqual([1, 7, null])
    expect(second.sql).toBe(first.sql)
    // Each execution has a query id of its own, as a fresh build would (plugins may key state on it).
    expect(second.queryId).not.toBe(first.queryId)
    expect(builds).toBe(1)
    statements(
      'two',
      build,
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    )
    expect(builds).toBe(2)
  })

  it('refuses a call that leaves a slot without a value', () => {
    const statements = compiledShapes<unknown>()
    const build = (slot: (name: string) => never) => CompiledQuery.raw('select $1', [slot('a')])
    expect(() => statements('one', build, new Map())).toThrow('No value for the statement slot a')
  })
})
