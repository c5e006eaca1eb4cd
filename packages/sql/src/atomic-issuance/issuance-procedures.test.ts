import { describe, expect, it } from 'vitest'
import { outcomeOf } from './procedure-issuance.js'

// What the procedures do is checked on MariaDB in @sp-oauth/mysql (issuance-procedures.test.ts and
// the shared atomic issuance suite); here, how a call's answer is read, whatever the driver's shape.
describe('outcomeOf', () => {
  it("reads won and live from mysql2's answer to a CALL: the result set, then a status", () => {
    expect(outcomeOf([[{ won: 1, live: 1 }], { affectedRows: 0 }])).toEqual({ won: true, live: true })
    expect(outcomeOf([[{ won: '0', live: '1' }], { affectedRows: 0 }])).toEqual({ won: false, live: true })
    expect(outcomeOf([{ won: 0, live: 0 }])).toEqual({ won: false, live: false })
  })

  it('refuses an answer without won rather than guess', () => {
    expect(() => outcomeOf([])).toThrow('no result')
    expect(() => outcomeOf([{ affectedRows: 0 }])).toThrow('no result')
  })
})
