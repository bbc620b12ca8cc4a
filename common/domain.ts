/**
 * Dojang's domain vocabulary, shared by every process: the media a copy can live on, how a destination is named,
 * and the expiry rules (days left, D-day, expiring). One definition each; no Node, no DOM.
 */

/** Where a copy of a certificate can live. The inventory's SQL CHECK is derived from this list. */
export const MEDIA = ['disk', 'removable', 'keychain', 'token', 'other'] as const
export type Medium = (typeof MEDIA)[number]

/** The words users know from bank 인증센터 pages, and English. */
export const MEDIA_LABELS: Record<Medium, { ko: string; en: string }> = {
  disk: { ko: '하드디스크', en: 'Hard disk' },
  removable: { ko: '이동식디스크', en: 'Removable drive' },
  keychain: { ko: '키체인', en: 'Keychain' },
  token: { ko: '보안토큰', en: 'Security token' },
  other: { ko: '기타 위치', en: 'Other location' },
}

/** A destination for a copy, an import or an issued certificate. */
export interface MediaTarget {
  medium: Medium
  /** For disk and removable: the NPKI root to write into. */
  root?: string
}

export const DAY_MS = 86_400_000

/** Certificates with at most this many days left are "expiring" (renewal opens at D-30). */
export const EXPIRING_DAYS = 30

/**
 * NPKI validity is meant in Korean time, and Korea has kept UTC+9 without daylight saving since 1988: a fixed offset
 * gives the Korean calendar date of any instant without a time-zone database.
 */
export const SEOUL_OFFSET_MS = 9 * 60 * 60 * 1000

const epoch = (t: string | number | Date): number => (typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime())

/** Days since the epoch of the Korean calendar date of an instant. */
export const seoulDayNumber = (ms: number): number => Math.floor((ms + SEOUL_OFFSET_MS) / DAY_MS)

/**
 * Days left counted in Korean calendar days, so that the D-day agrees with the expiry date shown beside it: 0 on the
 * last day (D-day), 1 the day before. notAfter itself is still valid (RFC 5280); once it has passed the result is
 * negative (at least -1, also on the last day itself). NaN when a date is unknown.
 */
export function daysLeft(notAfter: string | number | Date, now: string | number | Date): number {
  const end = epoch(notAfter)
  const t = epoch(now)
  if (Number.isNaN(end) || Number.isNaN(t)) return Number.NaN
  const days = seoulDayNumber(end) - seoulDayNumber(t)
  return t > end ? Math.min(days, -1) : days
}

/** The first instant at which a certificate that is not expired has more than `days` days left (for SQL ranges). */
export function daysLeftHorizon(now: number, days: number): number {
  return (seoulDayNumber(now) + days + 1) * DAY_MS - SEOUL_OFFSET_MS
}

export type ExpiryState = 'valid' | 'expiring' | 'expired' | 'notYetValid'

/** "expiring" means at most `warnDays` whole days left. */
export function expiryState(validity: { notBefore?: string | null; notAfter: string }, now: string | number | Date, warnDays = EXPIRING_DAYS): ExpiryState {
  const n = epoch(now)
  if (validity.notBefore && n < Date.parse(validity.notBefore)) return 'notYetValid'
  const d = daysLeft(validity.notAfter, n)
  if (d < 0) return 'expired'
  return d <= warnDays ? 'expiring' : 'valid'
}

/** D-30, D-day, D+3 (expired three days ago): the CLI's text. The renderer words "expired" itself (ddayLabel). */
export function dDay(days: number): string {
  if (Number.isNaN(days)) return 'D-?'
  if (days > 0) return `D-${days}`
  if (days === 0) return 'D-day'
  return `D+${-days}`
}
