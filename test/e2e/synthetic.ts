/**
 * Synthetic inventory records for list-scale tests and the list benchmark: inserted through the real inventory
 * API (main/core/inventory), so the handlers, IPC and renderer do their usual work. No files behind them, so only
 * the list (not the details) makes sense for these rows.
 */
import { createHash } from 'node:crypto'
import type { Inventory } from '../../main/core/inventory'

const NAMES = ['김민준', '이서연', '박지호', '최수아', '정예준', '강하은', '조도윤', '윤지우', '장서준', '임하린', 'Kim Minjun', 'Lee Seoyeon']
const CAS = [
  { ca: 'yessign', issuer: 'CN=yessignCA Class 2,OU=AccreditedCA,O=yessign,C=kr' },
  { ca: 'KICA', issuer: 'CN=signGATE CA5,OU=AccreditedCA,O=KICA,C=KR' },
  { ca: 'SignKorea', issuer: 'CN=SignKorea CA4,OU=AccreditedCA,O=SignKorea,C=KR' },
  { ca: 'CrossCert', issuer: 'CN=CrossCertCA4,OU=AccreditedCA,O=CrossCert,C=KR' },
]
const PURPOSES = [
  { oid: '1.2.410.200005.1.1.4', purpose: '은행·신용카드·보험용' },
  { oid: '1.2.410.200005.1.1.1', purpose: '범용' },
  { oid: '1.2.410.200005.1.1.5', purpose: '범용 (기업)' },
]

/** Inserts `n` certificates with one or two copies each (disk, sometimes USB); expiry spread over ±2 years. */
export function fillInventory(inv: Inventory, n: number, opts: { now?: Date; root?: string; usbRoot?: string } = {}): void {
  const now = (opts.now ?? new Date()).getTime()
  const root = opts.root ?? '/home/user/NPKI'
  const usbRoot = opts.usbRoot ?? '/media/user/USB/NPKI'
  const day = 86_400_000
  inv.transaction(() => {
    for (let i = 0; i < n; i++) {
      const ca = CAS[i % CAS.length]!
      const p = PURPOSES[i % PURPOSES.length]!
      const name = `${NAMES[i % NAMES.length]} ${i}`
      const serial = (0x100000 + i).toString(16)
      const notAfter = new Date(now + (((i * 7919) % 1460) - 365) * day)
      const notBefore = new Date(notAfter.getTime() - 365 * day)
      const subject = `CN=${name}()00${String(i).padStart(8, '0')},OU=BANK,OU=personal4IB,O=${ca.ca},C=kr`
      inv.upsertCertificate({
        issuer: ca.issuer,
        serial,
        subject,
        displayName: name,
        ca: ca.ca,
        notBefore,
        notAfter,
        policyOid: p.oid,
        purpose: p.purpose,
        fingerprintSha256: createHash('sha256').update(subject).digest('hex'),
      })
      const folder = `${ca.ca}/USER/cn=${name}()00${i}`
      const files = { signCert: true, signPri: true, kmCert: i % 2 === 0, kmPri: i % 2 === 0 }
      inv.recordCopy({ issuer: ca.issuer, serial, medium: 'disk', location: `${root}/${folder}`, root, files })
      if (i % 5 === 0) inv.recordCopy({ issuer: ca.issuer, serial, medium: 'removable', location: `${usbRoot}/${folder}`, root: usbRoot, files })
    }
  })
}
