/**
 * How Dojang shows a certificate's facts to people, the same in every front end (the renderer, the CLI's text
 * output): a serial, an issuer, a date, the days left, a key scheme. No Node, no DOM. Machine formats (JSON, CSV)
 * keep ISO 8601 with an offset (`isoSeoul`).
 *
 * Dates: NPKI validity is meant in Korean time (a certificate "valid until 2025-01-01" ends at 23:59:59 KST), so
 * the calendar date of an instant is taken in Asia/Seoul. Korea has kept UTC+9 without daylight saving since 1988,
 * so a fixed offset is exact for every certificate and needs no time-zone database.
 */
import { knownCa } from './caNames'
import { dDay, SEOUL_OFFSET_MS } from './domain'

export { daysLeft } from './domain'

export type Lang = 'ko' | 'en'


// ---- serial ----

/**
 * A serial as Dojang shows and stores it: lowercase hex without separators or leading zeros (`03:E9` → `3e9`),
 * the normalization of the inventory (`normalizeSerial` in main/core/inventory/validate.ts). Text that is not hex
 * is shown as it is instead of failing: this formats, it does not validate.
 */
export function formatSerial(serial: string): string {
  const hex = serial.replace(/[\s:]/g, '').toLowerCase()
  if (!/^[0-9a-f]+$/.test(hex)) return serial
  return hex.replace(/^0+(?=.)/, '')
}

// ---- names ----

/** One attribute of a DN string such as "CN=yessignCA Class 2,OU=AccreditedCA,O=yessign,C=kr" (first match). */
export function dnAttribute(dn: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|,)\\s*${name}=([^,]+)`, 'i')
  return re.exec(dn)?.[1]?.trim()
}

/**
 * The issuer as people know it: a known CA by its Korean (or English) name, found from the CA id or else from the
 * issuer's O; an unknown issuer by the CN of its DN (the whole DN when it has no CN).
 */
export function issuerName(cert: { ca?: string | null; issuer: string }, lang: Lang): string {
  const ca = knownCa(cert.ca) ?? knownCa(dnAttribute(cert.issuer, 'O'))
  if (ca) return lang === 'ko' ? ca.nameKo : ca.nameEn
  return dnAttribute(cert.issuer, 'CN') ?? cert.issuer
}

// ---- dates ----

interface CalendarDate {
  year: number
  month: number
  day: number
}

function seoulDate(ms: number): CalendarDate {
  const d = new Date(ms + SEOUL_OFFSET_MS)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/**
 * A calendar date in Korea. 'short' is the same in both languages and sorts as text (`2025-01-01`); 'long' is
 * the unambiguous long form (`2025년 1월 1일`, `1 January 2025`). Text that is not a date is shown as it is.
 */
export function formatDate(iso: string, lang: Lang, style: 'short' | 'long' = 'short'): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  const { year, month, day } = seoulDate(ms)
  if (style === 'short') return `${pad(year, 4)}-${pad(month)}-${pad(day)}`
  return lang === 'ko' ? `${year}년 ${month}월 ${day}일` : `${day} ${MONTHS_EN[month - 1]} ${year}`
}

/**
 * When something happened on this computer (a deletion, an audit entry): the date and minute in the computer's own
 * time zone, which is what its clock showed then (`2025-01-01 14:05`).
 */
export function formatDateTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** ISO 8601 in Korean time with its offset (`2025-01-01T23:59:59+09:00`), for JSON and CSV. */
export function isoSeoul(iso: string): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  const d = new Date(ms + SEOUL_OFFSET_MS)
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+09:00`
}

// ---- days left ----

/** The badge text: `D-12`, `D-day`, or null once expired (the front end says "expired" in its language). */
export function ddayLabel(days: number): string | null {
  return days >= 0 ? dDay(days) : null
}

// ---- private key schemes ----

/** The encryption of a private key file (the `keyScheme` of a copy, ids from main/core/npki/privateKey.ts). */
const KEY_SCHEMES: Record<string, Record<Lang, string>> = {
  'npki-pbkdf1-seed': { ko: 'SEED (표준 방식)', en: 'SEED (NPKI standard)' },
  pbes2: { ko: 'PBES2 (최신 방식, 보통 AES)', en: 'PBES2 (modern, usually AES)' },
  'legacy-seed-fixed-iv': { ko: 'SEED (옛 방식)', en: 'SEED (legacy)' },
}

/** A key scheme in words people know; an unknown id gets a neutral phrase rather than the id. */
export function keySchemeName(scheme: string, lang: Lang): string {
  return KEY_SCHEMES[scheme]?.[lang] ?? (lang === 'ko' ? '알 수 없는 방식' : 'unknown scheme')
}
