/**
 * Expiry reminders and the calendar export: pure functions over the inventory's certificates, so the app's
 * notifier and the tests share them.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../fsx'
import type { CertificateWithCopies } from '../inventory/types'

import { DAY_MS as DAY, daysLeft } from '../../../common/domain'

export { daysLeft }

export interface Reminder {
  issuer: string
  serial: string
  name: string
  daysLeft: number
  /** The notification day that fired (30, 7, 1 …); a certificate gets each at most once. */
  threshold: number
}

/**
 * The reminders due now: for each certificate with a present copy, the smallest configured day count it has
 * reached (D-30, D-7, D-1), unless that one was already sent. `sent` holds keys from `reminderKey`.
 */
export function dueReminders(certs: CertificateWithCopies[], notifyDays: number[], now: Date, sent: ReadonlySet<string>): Reminder[] {
  const days = [...new Set(notifyDays)].filter((d) => d >= 0).sort((a, b) => a - b)
  const out: Reminder[] = []
  for (const c of certs) {
    if (!c.copies.some((x) => x.missingSince === null)) continue
    const left = daysLeft(c.notAfter, now)
    if (left < 0) continue
    const threshold = days.find((d) => left <= d)
    if (threshold === undefined) continue
    const r = { issuer: c.issuer, serial: c.serial, name: c.displayName, daysLeft: left, threshold }
    if (!sent.has(reminderKey(r))) out.push(r)
  }
  return out
}

export const reminderKey = (r: Pick<Reminder, 'issuer' | 'serial' | 'threshold'>): string => `${r.serial}@${r.issuer}#${r.threshold}`

function icsEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n')
}

/** RFC 5545 lines are folded at 75 octets; fold on UTF-8 boundaries so Hangul stays intact. */
function fold(line: string): string {
  const out: string[] = []
  let current = ''
  let octets = 0
  for (const ch of line) {
    const n = Buffer.byteLength(ch)
    if (octets + n > (out.length === 0 ? 75 : 74)) {
      out.push(current)
      current = ''
      octets = 0
    }
    current += ch
    octets += n
  }
  out.push(current)
  return out.join('\r\n ')
}

const icsDate = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '')
const icsStamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')

/** An .ics calendar with one all-day event per certificate on its expiry date and alarms at the reminder days. */
export function expiryCalendar(certs: CertificateWithCopies[], notifyDays: number[], now: Date): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Dojang//NPKI certificate expiry//KO', 'CALSCALE:GREGORIAN']
  for (const c of certs) {
    const end = new Date(c.notAfter)
    const next = new Date(end.getTime() + DAY)
    lines.push(
      'BEGIN:VEVENT',
      `UID:${c.serial}-${Buffer.from(c.issuer).toString('hex').slice(0, 32)}@dojang`,
      `DTSTAMP:${icsStamp(now)}`,
      `DTSTART;VALUE=DATE:${icsDate(end)}`,
      `DTEND;VALUE=DATE:${icsDate(next)}`,
      `SUMMARY:${icsEscape(`공동인증서 만료: ${c.displayName} (${c.ca ?? c.issuer})`)}`,
      `DESCRIPTION:${icsEscape(`${c.purpose ?? ''} 인증서가 ${c.notAfter.slice(0, 10)}에 만료됩니다. 만료 30일 전부터 은행·인증기관에서 갱신할 수 있습니다. / The certificate expires on ${c.notAfter.slice(0, 10)}; renew it at your bank or CA from 30 days before.`)}`,
    )
    for (const d of notifyDays) {
      lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${icsEscape(`${c.displayName} D-${d}`)}`, `TRIGGER:-P${d}D`, 'END:VALARM')
    }
    lines.push('END:VEVENT')
  }
  lines.push('END:VCALENDAR')
  return lines.map(fold).join('\r\n') + '\r\n'
}

const SENT_FILE = 'reminders-sent.json'

/** The reminders already shown, kept in the data folder so that a restart does not repeat them. */
export async function loadSentReminders(dataDir: string): Promise<Set<string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dataDir, SENT_FILE), 'utf8'))
    return new Set(Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [])
  } catch {
    return new Set() // none yet, or unreadable: at worst a reminder shows once more
  }
}

export async function saveSentReminders(dataDir: string, sent: ReadonlySet<string>): Promise<void> {
  await writeFileAtomic(join(dataDir, SENT_FILE), new TextEncoder().encode(JSON.stringify([...sent])))
}
