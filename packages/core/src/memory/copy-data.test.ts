import { describe, expect, it } from 'vitest'
import { copyData } from './memory-repositories.js'

describe('copyData', () => {
  it('copies dates, arrays and nested objects, so nothing is shared with the original', () => {
    const original = {
      at: new Date(5),
      list: [1, { deep: [new Date(7)] }],
      nested: { a: { b: 'c' } },
      none: null,
    }
    const copy = copyData(original)
    expect(copy).toEqual(original)
    expect(copy.at).not.toBe(original.at)
    expect(copy.list).not.toBe(original.list)
    expect(copy.list[1]).not.toBe(original.list[1])
    expect(copy.nested.a).not.toBe(original.nested.a)
    copy.at.setTime(0)
    ;(copy.list[1] as { deep: Date[] }).deep[0]!.setTime(0)
    expect(original.at.getTime()).toBe(5)
    expect((original.list[1] as { deep: Date[] }).deep[0]!.getTime()).toBe(7)
  })

  it('keeps a claim named __proto__ as a plain own property, never as the prototype', () => {
    const claims = JSON.parse('{"__proto__": {"admin": true}, "name": "x"}') as Record<string, unknown>
    const copy = copyData(claims)
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.keys(copy)).toEqual(['__proto__', 'name'])
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ admin: true })
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).not.toBe(
      Object.getOwnPropertyDescriptor(claims, '__proto__')?.value,
    )
    expect((copy as { admin?: unknown }).admin).toBeUndefined()
  })
})
