/**
 * The seam to the SQLite inventory. Only structural types are used, so the scanner compiles and tests without
 * the inventory module, and the inventory never depends on scanner internals.
 */
import type { CachedFile, ScanCache } from './cache'
import type { Finding } from './findings'
import type { CertFolderScan } from './types'

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/** The part of the inventory the cache needs (matches `Inventory` in main/core/inventory). */
export interface InventoryCachePort {
  cacheGet(path: string, current?: { size: number; mtimeMs: number }): { parsed: unknown } | null
  /** Every entry by path, or null when there are too many (optional: without it each file costs a stat and a query). */
  cacheSnapshot?(): ReadonlyMap<string, { size: number; mtimeMs: number; parsed: unknown }> | null
  cachePut(path: string, size: number, mtimeMs: number, parsed: Json): void
  transaction<T>(fn: () => T): T
}

/**
 * A ScanCache over the inventory. Writes are buffered and committed in one transaction per `batch` entries and
 * at `flush()` (the scanner calls it at the end): one transaction per file would make the first scan of a large
 * tree wait on the database instead of the disk. A write the inventory refuses is dropped: the cache only saves
 * time, it must never fail a scan.
 *
 * When the inventory offers `cacheSnapshot()`, all entries are read in one query on first use: `has()` then lets a
 * first scan skip the stat of files never seen, and a lookup is a map access instead of a query per file (a
 * rescan of 1,000 certificate folders looks up 4,000 files).
 */
export function inventoryScanCache(inv: InventoryCachePort, opts: { batch?: number } = {}): ScanCache & { failedWrites: number } {
  const batch = opts.batch ?? 500
  let pending: { path: string; size: number; mtimeMs: number; value: CachedFile }[] = []
  type Entry = { size: number; mtimeMs: number; parsed: unknown }
  let snapshot: Map<string, Entry> | null | undefined
  const index = (): Map<string, Entry> | null => {
    if (snapshot === undefined) {
      try {
        const stored = inv.cacheSnapshot?.()
        snapshot = stored === undefined || stored === null ? null : new Map(stored)
      } catch {
        snapshot = null // no snapshot: every file is looked up on its own
      }
    }
    return snapshot
  }
  const cache = {
    failedWrites: 0,
    get(path: string, size: number, mtimeMs: number): unknown {
      const snap = index()
      if (snap !== null) {
        const e = snap.get(path)
        return e !== undefined && e.size === size && e.mtimeMs === mtimeMs ? e.parsed : undefined
      }
      try {
        return inv.cacheGet(path, { size, mtimeMs })?.parsed
      } catch {
        return undefined
      }
    },
    put(path: string, size: number, mtimeMs: number, value: CachedFile): void {
      snapshot?.set(path, { size, mtimeMs, parsed: value }) // a cache used for several scans stays current
      pending.push({ path, size, mtimeMs, value })
      if (pending.length >= batch) cache.flush()
    },
    flush(): void {
      const items = pending
      pending = []
      if (items.length === 0) return
      const writeAll = () => {
        for (const e of items) {
          try {
            inv.cachePut(e.path, e.size, e.mtimeMs, e.value as unknown as Json)
          } catch {
            cache.failedWrites++
          }
        }
      }
      try {
        inv.transaction(writeAll)
      } catch {
        cache.failedWrites += items.length
      }
    },
  }
  if (inv.cacheSnapshot === undefined) return cache
  return Object.assign(cache, {
    has(path: string): boolean {
      const snap = index()
      return snap === null || snap.has(path)
    },
  })
}

/** Inventory records for one copy (shapes of `CertificateInput` / `CopyInput`); undefined for unreadable certificates. */
export function toInventoryRecords(c: CertFolderScan):
  | {
      certificate: {
        issuer: string
        serial: string
        subject: string
        displayName: string
        ca: string | null
        notBefore: string
        notAfter: string
        policyOid: string | null
        purpose: string | null
        fingerprintSha256: string
      }
      copy: {
        issuer: string
        serial: string
        medium: CertFolderScan['medium']
        location: string
        root: string
        files: { signCert: boolean; signPri: boolean; kmCert: boolean; kmPri: boolean; pfx: boolean }
        keyScheme: string | null
        contentHash: string
      }
    }
  | undefined {
  const cert = c.certificate
  if (c.id === undefined || cert === undefined) return undefined
  return {
    certificate: {
      issuer: c.id.issuer,
      serial: c.id.serial,
      subject: cert.subject,
      displayName: cert.name,
      ca: cert.ca === 'unknown' ? null : cert.ca,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      policyOid: cert.policyOid,
      purpose: cert.purposeKo || null,
      fingerprintSha256: cert.fingerprintSha256,
    },
    copy: {
      issuer: c.id.issuer,
      serial: c.id.serial,
      medium: c.medium,
      location: c.location,
      root: c.root,
      files: {
        signCert: c.files.signCert !== undefined,
        signPri: c.files.signPri !== undefined,
        kmCert: c.files.kmCert !== undefined,
        kmPri: c.files.kmPri !== undefined,
        pfx: c.pfx.length > 0,
      },
      keyScheme: c.signKey?.scheme ?? null,
      contentHash: c.contentHash,
    },
  }
}

/** Findings in the inventory's shape: its severities are info / warning / error, and it keeps one location. */
export function toInventoryFindings(findings: readonly Finding[]): {
  kind: string
  severity: 'info' | 'warning' | 'error'
  certificate: { issuer: string; serial: string } | null
  location: string | null
  detail: { [key: string]: Json }
}[] {
  return findings.map((f) => ({
    kind: f.kind,
    severity: f.severity === 'critical' ? 'error' : f.severity,
    certificate: f.certificate ? { issuer: f.certificate.issuer, serial: f.certificate.serial } : null,
    location: f.locations[0] ?? null,
    detail: { ...(f.detail ?? {}), locations: f.locations, message: f.message },
  }))
}
