/**
 * Pure list logic (no React): D-day, search, filters, sort. The whole inventory is loaded once and filtered here,
 * so typing in the search box or switching a tab never waits for IPC, even with 10,000 certificates.
 */
import type { CertificateView, Medium } from '../../../common/contract'
import { daysLeft, issuerName, type Lang } from '../../../common/format'

export { EXPIRING_DAYS } from '../../../common/domain'
import { EXPIRING_DAYS } from '../../../common/domain'

export type Urgency = 'expired' | 'critical' | 'warning' | 'ok'

export function urgency(days: number): Urgency {
  if (!(days >= 0)) return 'expired'
  if (days <= 7) return 'critical'
  if (days <= EXPIRING_DAYS) return 'warning'
  return 'ok'
}

export interface Row {
  cert: CertificateView
  /** notAfter as epoch ms, parsed once: sorting 10,000 rows must not parse dates in the comparator. */
  expires: number
  days: number
  /** Media holding a present (not missing) copy, in display order. */
  media: Medium[]
  presentCopies: number
  /** The issuer as people know it, in the screen's language (common/format.ts). */
  issuerLabel: string
  /** Lower-cased NFC text searched by the search box; built on the first search, not on load. */
  search?: string
}

const MEDIUM_ORDER: Medium[] = ['disk', 'removable', 'keychain', 'token', 'other']

export function toRow(cert: CertificateView, now: number, lang: Lang): Row {
  const present = cert.copies.filter((c) => !c.missing)
  const media = MEDIUM_ORDER.filter((m) => present.some((c) => c.medium === m))
  const issuerLabel = issuerName(cert, lang)
  const expires = Date.parse(cert.notAfter)
  return { cert, expires, days: daysLeft(cert.notAfter, now), media, presentCopies: present.length, issuerLabel }
}

function searchText(row: Row): string {
  row.search ??= [row.cert.name, row.cert.subject, row.cert.issuer, row.cert.ca ?? '', row.issuerLabel, row.cert.serial, row.cert.purpose ?? '', row.cert.purposeEn ?? ''].join('\u0000').normalize('NFC').toLowerCase()
  return row.search
}

export type MediumTab = 'all' | Medium

export interface Filter {
  tab: MediumTab
  search: string
  expired: boolean
  expiring: boolean
}

export function matches(row: Row, f: Filter): boolean {
  if (f.tab !== 'all' && !row.media.includes(f.tab)) return false
  if (f.expired || f.expiring) {
    // Both chips on means "either": people use them to find what needs attention.
    const isExpired = !(row.days >= 0)
    const isExpiring = row.days >= 0 && row.days <= EXPIRING_DAYS
    if (!((f.expired && isExpired) || (f.expiring && isExpiring))) return false
  }
  const q = f.search.trim().normalize('NFC').toLowerCase()
  if (q && !searchText(row).includes(q)) return false
  return true
}

export type SortKey = 'purpose' | 'name' | 'notAfter' | 'issuer' | 'location'
export interface Sort {
  key: SortKey
  dir: 'asc' | 'desc'
}

const collator = new Intl.Collator(['ko', 'en'], { sensitivity: 'base', numeric: true })

function compare(a: Row, b: Row, key: SortKey): number {
  switch (key) {
    case 'purpose':
      return collator.compare(a.cert.purpose ?? '', b.cert.purpose ?? '')
    case 'name':
      return collator.compare(a.cert.name, b.cert.name)
    case 'notAfter':
      return a.expires - b.expires
    case 'issuer':
      return collator.compare(a.issuerLabel, b.issuerLabel)
    case 'location':
      return a.presentCopies - b.presentCopies
  }
}

export function sortRows(rows: Row[], sort: Sort): Row[] {
  const sign = sort.dir === 'asc' ? 1 : -1
  // Ties fall back to expiry then id so the order is stable across reloads.
  return [...rows].sort(
    (a, b) => sign * compare(a, b, sort.key) || a.expires - b.expires || (a.cert.id < b.cert.id ? -1 : a.cert.id > b.cert.id ? 1 : 0),
  )
}

export function countByTab(rows: Row[]): Record<MediumTab, number> {
  const counts: Record<MediumTab, number> = { all: rows.length, disk: 0, removable: 0, keychain: 0, token: 0, other: 0 }
  for (const r of rows) for (const m of r.media) counts[m]++
  return counts
}
