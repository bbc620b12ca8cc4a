import { describe, expect, it } from 'vitest'
import { dDay, daysLeft, daysLeftHorizon, expiryState, MEDIA, MEDIA_LABELS } from '../../common/domain'

describe('common/domain: one expiry rule for every front end', () => {
  const end = '2025-01-01T14:59:59.000Z' // 2025-01-01 23:59:59 KST

  it('counts Korean calendar days; the last day is D-day; after notAfter it is expired', () => {
    expect(daysLeft(end, '2024-12-31T15:00:00Z')).toBe(0) // 2025-01-01 00:00 KST
    expect(daysLeft(end, '2024-12-31T14:59:59Z')).toBe(1)
    expect(daysLeft(end, end)).toBe(0)
    expect(daysLeft(end, '2025-01-01T15:00:00Z')).toBe(-1)
    expect(daysLeft(end, '2025-01-04T15:00:00Z')).toBe(-4)
    expect(daysLeft('nope', end)).toBeNaN()
  })

  it('names the state from the same count', () => {
    expect(expiryState({ notBefore: '2024-01-01T00:00:00Z', notAfter: end }, '2023-12-31T00:00:00Z')).toBe('notYetValid')
    expect(expiryState({ notAfter: end }, '2024-12-01T15:00:00Z')).toBe('expiring') // 12-02 KST: D-30
    expect(expiryState({ notAfter: end }, '2024-11-30T15:00:00Z')).toBe('valid') // 12-01 KST: D-31
    expect(expiryState({ notAfter: end }, '2025-01-02T00:00:00Z')).toBe('expired')
    expect([dDay(12), dDay(0), dDay(-3)]).toEqual(['D-12', 'D-day', 'D+3'])
  })

  it('the SQL horizon agrees with daysLeft at every hour of a month', () => {
    const now = Date.parse('2024-12-10T03:00:00Z')
    for (let h = 0; h < 24 * 40; h++) {
      const t = now + h * 3_600_000
      for (const days of [0, 1, 7, 30]) {
        expect(t < daysLeftHorizon(now, days), `${new Date(t).toISOString()} within ${days}`).toBe(daysLeft(t, now) <= days)
      }
    }
  })

  it('labels every medium in Korean and English', () => {
    for (const m of MEDIA) expect(MEDIA_LABELS[m].ko.length * MEDIA_LABELS[m].en.length).toBeGreaterThan(0)
  })
})
