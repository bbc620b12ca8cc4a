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

const epoch = (t: string | number | Date): number => (typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime())

/**
 * Whole days of validity left: less than a day is 0 (D-day). notAfter itself is still valid (RFC 5280), so a
 * certificate is expired only after it; then the result is the whole days past, negative and at least -1. NaN when
 * a date is unknown.
 */
export function daysLeft(notAfter: string | number | Date, now: string | number | Date): number {
  const t = epoch(notAfter)
  const n = epoch(now)
  if (Number.isNaN(t) || Number.isNaN(n)) return Number.NaN
  if (t >= n) return Math.floor((t - n) / DAY_MS)
  return -Math.max(1, Math.floor((n - t) / DAY_MS))
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

/** D-30, D-day, D+3 (expired three days ago). */
export function dDay(days: number): string {
  if (Number.isNaN(days)) return 'D-?'
  if (days > 0) return `D-${days}`
  if (days === 0) return 'D-day'
  return `D+${-days}`
}
