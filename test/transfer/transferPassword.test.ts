import { describe, expect, it } from 'vitest'
import { checkPasswordRules } from '../../common/passwordRules'
import { newTransferPassword, TRANSFER_PASSWORD_BITS } from '../../main/core/transfer/transferPassword'

describe('newTransferPassword', () => {
  it('always meets the KISA rules, uses no look-alike characters, and does not repeat', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const pw = newTransferPassword()
      expect(pw).toMatch(/^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$/)
      expect(checkPasswordRules(pw).ok, pw).toBe(true)
      seen.add(pw)
    }
    expect(seen.size).toBe(2000)
  })

  it('carries 60 bits before rule rejection', () => {
    expect(TRANSFER_PASSWORD_BITS).toBe(60)
  })

  it('uses the whole alphabet in every position (no fixed character a guesser could skip)', () => {
    const perPosition = Array.from({ length: 14 }, () => new Set<string>())
    for (let i = 0; i < 3000; i++) [...newTransferPassword()].forEach((c, j) => perPosition[j]!.add(c))
    for (const [j, chars] of perPosition.entries()) expect(chars.size, `position ${j}`).toBe(j === 4 || j === 9 ? 1 : 32)
  })
})
