/** common/format.ts: one way to show a serial, an issuer, a date and the days left, in every front end. */
import { describe, expect, it } from 'vitest'
import { daysLeft, ddayLabel, dnAttribute, formatDate, formatDateTime, formatSerial, isoSeoul, issuerName, keySchemeName } from '../../common/format'
import { normalizeSerial } from '../../main/core/inventory/validate'

describe('serial', () => {
  it('is lowercase hex without separators or leading zeros, exactly as the inventory stores it', () => {
    for (const s of ['03e9', '03:E9', '3E9', '00 00 03 e9', '0', '00', 'ABCDEF0123456789abcdef']) expect(formatSerial(s)).toBe(normalizeSerial(s))
    expect(formatSerial('03e9')).toBe('3e9')
    expect(formatSerial('0')).toBe('0')
  })
  it('shows text that is not hex as it is instead of failing', () => {
    expect(formatSerial('n/a')).toBe('n/a')
  })
})

describe('issuer', () => {
  const yessign = 'CN=yessignCA Class 2,OU=AccreditedCA,O=yessign,C=kr'
  it('names a known CA in Korean or English, from the CA id or else from the issuer O', () => {
    expect(issuerName({ ca: 'yessign', issuer: yessign }, 'ko')).toBe('금융결제원')
    expect(issuerName({ ca: 'yessign', issuer: yessign }, 'en')).toBe('KFTC (yessign)')
    expect(issuerName({ ca: null, issuer: 'CN=signGATE CA5,OU=AccreditedCA,O=KICA,C=KR' }, 'ko')).toBe('한국정보인증')
    expect(issuerName({ issuer: 'CN=x,O=NCASIGN,C=KR' }, 'ko')).toBe('한국전산원')
  })
  it('falls back to the CN of an unknown issuer, and to the whole DN without a CN', () => {
    expect(issuerName({ ca: null, issuer: 'CN=testsignCA SYNTHETIC FIXTURE,OU=x,O=testsign,C=kr' }, 'ko')).toBe('testsignCA SYNTHETIC FIXTURE')
    expect(issuerName({ ca: null, issuer: 'O=Somebody,C=KR' }, 'en')).toBe('O=Somebody,C=KR')
    expect(dnAttribute('cn=홍길동()001,ou=x,o=yessign,c=kr', 'CN')).toBe('홍길동()001')
  })
})

describe('dates', () => {
  // NPKI certificates end at 23:59:59 Korean time, which is 14:59:59 UTC the same day.
  const notAfter = '2025-01-01T14:59:59.000Z'
  it('shows the calendar date in Korea, short (the same in both languages) or long', () => {
    expect(formatDate(notAfter, 'ko')).toBe('2025-01-01')
    expect(formatDate(notAfter, 'en')).toBe('2025-01-01')
    expect(formatDate(notAfter, 'ko', 'long')).toBe('2025년 1월 1일')
    expect(formatDate(notAfter, 'en', 'long')).toBe('1 January 2025')
    // 15:00 UTC is already the next day in Korea (the CLI's old UTC output showed the day before).
    expect(formatDate('2020-02-24T15:00:00.000Z', 'ko')).toBe('2020-02-25')
    expect(formatDate('not a date', 'ko')).toBe('not a date')
  })
  it('gives machine formats ISO 8601 with the +09:00 offset', () => {
    expect(isoSeoul('2020-02-24T15:00:00.000Z')).toBe('2020-02-25T00:00:00+09:00')
    expect(Date.parse(isoSeoul(notAfter))).toBe(Date.parse(notAfter))
  })
  it('writes local event times as date and minute', () => {
    expect(formatDateTime('2025-03-04T05:06:07Z')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  })
})

describe('days left', () => {
  const notAfter = '2025-01-10T14:59:59.000Z' // 2025-01-10 23:59:59 KST
  const kst = (s: string) => Date.parse(`${s}+09:00`)
  it('counts Korean calendar days, so the D-day agrees with the date shown', () => {
    expect(daysLeft(notAfter, kst('2025-01-09T00:00:01'))).toBe(1)
    expect(daysLeft(notAfter, kst('2025-01-09T23:59:59'))).toBe(1)
    expect(daysLeft(notAfter, kst('2025-01-10T00:00:00'))).toBe(0)
    expect(daysLeft(notAfter, kst('2025-01-10T23:59:59'))).toBe(0)
    expect(daysLeft(notAfter, kst('2024-12-11T12:00:00'))).toBe(30)
  })
  it('is negative once notAfter has passed, and NaN for an unknown date', () => {
    expect(daysLeft(notAfter, kst('2025-01-11T00:00:00'))).toBe(-1)
    expect(daysLeft(notAfter, kst('2025-01-13T09:00:00'))).toBe(-3)
    // A certificate ending mid-day is expired for the rest of that day, not "D-day".
    expect(daysLeft('2025-01-10T03:00:00Z', kst('2025-01-10T13:00:00'))).toBe(-1)
    expect(daysLeft('garbage', Date.now())).toBeNaN()
  })
  it('labels the badge D-n and D-day; an expired certificate gets no D label', () => {
    expect(ddayLabel(12)).toBe('D-12')
    expect(ddayLabel(0)).toBe('D-day')
    expect(ddayLabel(-1)).toBeNull()
    expect(ddayLabel(Number.NaN)).toBeNull()
  })
})

describe('key scheme', () => {
  it('names the schemes of privateKey.ts in words, never the internal id', () => {
    expect(keySchemeName('npki-pbkdf1-seed', 'ko')).toBe('SEED (표준 방식)')
    expect(keySchemeName('pbes2', 'en')).toContain('PBES2')
    expect(keySchemeName('legacy-seed-fixed-iv', 'ko')).toBe('SEED (옛 방식)')
    expect(keySchemeName('something-new', 'ko')).toBe('알 수 없는 방식')
  })
})
