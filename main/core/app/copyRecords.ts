/**
 * Keeps the inventory in step with copies that Dojang itself reads or writes outside a scan (keychain bundles, a
 * copy an operation just wrote), so the list shows them without a rescan.
 */
import type { CertificateRepository, CopyRepository } from '../inventory'
import { loadCertBundle } from '../npki/certBundle'
import type { Store } from '../stores/types'

export type LoadedCopy = ReturnType<typeof loadCertBundle>

export class CopyRecords {
  constructor(private readonly inventory: CertificateRepository & CopyRepository) {}

  /** Records one copy already read; `root` is the store's id (an NPKI root, or 'keychain'). */
  record(loaded: LoadedCopy, store: Pick<Store, 'medium' | 'id'>, location: string, runId?: number): void {
    const cert = loaded.signCert
    const key = { issuer: cert.issuer, serial: cert.serialNumberHex }
    this.inventory.upsertCertificate({
      ...key,
      subject: cert.subject,
      displayName: cert.displayName,
      ca: cert.ca.id === 'unknown' ? null : cert.ca.id,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      policyOid: cert.policy.oid ?? null,
      purpose: cert.policy.purposeKo,
      fingerprintSha256: cert.sha256FingerprintHex,
    })
    const files = { signCert: true, signPri: loaded.signPri !== undefined, kmCert: loaded.kmCert !== undefined, kmPri: loaded.kmPri !== undefined, pfx: loaded.files.pfx.length > 0 }
    this.inventory.recordCopy({ ...key, medium: store.medium, location, root: store.id, files }, runId)
  }

  /** Reads a copy an operation just wrote and records it; a failure only means the next scan records it. */
  async refresh(store: Store, location: string): Promise<void> {
    try {
      this.record(loadCertBundle(await store.read(location), location), store, location)
    } catch {
      // The next scan records it.
    }
  }

  /** Records every readable copy a store lists (stores that a folder walk cannot see, such as 키체인). */
  async recordAll(store: Store, runId: number): Promise<boolean> {
    let copies
    try {
      copies = await store.list()
    } catch {
      return false // locked or absent: its copies are simply not refreshed
    }
    for (const copy of copies) {
      try {
        this.record(loadCertBundle(await store.read(copy.location), copy.location), store, copy.location, runId)
      } catch {
        // An unreadable entry shows up in the store's own listing of problems.
      }
    }
    return true
  }
}
