/**
 * The scan coordinator: walks every root the registry knows (and deep-scan folders), records what it found in the
 * inventory, refreshes the stores a walk cannot see (키체인), marks copies that are gone, and stores the findings.
 */
import path from 'node:path'
import type { Inventory } from '../inventory'
import { computeFindings, inventoryScanCache, scan, toInventoryFindings, toInventoryRecords, type Finding, type ScanProgress, type ScanResult, type ScanRoot } from '../scan'
import { keptIssuedRoots } from './keptIssued'
import { acquireScanLock } from '../scan/scanLock'
import type { CopyRecords } from './copyRecords'
import type { StoreRegistry } from './storeRegistry'

export interface ScanRequest {
  /** Extra folders for a deep scan (stray NPKI folders, .pfx/.p12 files). */
  deep?: string[]
  signal?: AbortSignal
  onProgress?: (p: ScanProgress) => void
}

export interface ScanOutcome {
  runId: number
  result: ScanResult
  findings: Finding[]
}

export class ScanCoordinator {
  constructor(
    private readonly inventory: Inventory,
    private readonly stores: StoreRegistry,
    private readonly records: CopyRecords,
    private readonly now: () => Date,
    /** The data folder whose scan lock a scan holds: one scan at a time per inventory, across processes. */
    private readonly lock: { dataDir: string; waitMs: number },
  ) {}

  async scan(req: ScanRequest = {}): Promise<ScanOutcome> {
    const release = await acquireScanLock(this.lock.dataDir, { waitMs: this.lock.waitMs })
    try {
      return await this.scanLocked(req)
    } finally {
      await release()
    }
  }

  private async scanLocked(req: ScanRequest): Promise<ScanOutcome> {
    // Tokens are asked again on every scan (one may have been plugged in or taken out since).
    this.stores.resetTokens()
    const disk = await this.stores.diskStores()
    const removable = await this.stores.removableStores()
    const roots: ScanRoot[] = [
      ...disk.map((s) => ({ path: s.root, kind: 'npki' as const, medium: 'disk' as const })),
      ...removable.map((s) => ({ path: s.root, kind: 'npki' as const, medium: 'removable' as const })),
      ...(req.deep ?? []).map((d) => ({ path: path.resolve(d), kind: 'deep' as const, medium: 'other' as const })),
    ]
    const inv = this.inventory
    const runId = inv.beginScanRun(roots.map((r) => r.path))
    const cache = inventoryScanCache(inv)
    let result: ScanResult
    try {
      result = await scan(roots, { signal: req.signal, onProgress: req.onProgress, cache })
    } catch (e) {
      inv.finishScanRun(runId, { foldersVisited: 0, certificatesFound: 0, problems: 1 }, 'failed')
      throw e
    }
    cache.flush?.()
    inv.transaction(() => {
      for (const c of result.certificates) {
        const rec = toInventoryRecords(c)
        if (!rec) continue
        inv.upsertCertificate(rec.certificate)
        inv.recordCopy(rec.copy, runId)
      }
    })
    const keychain = this.stores.keychain
    const keychainListed = keychain ? await this.records.recordAll(keychain, runId) : false
    const tokensListed: string[] = []
    for (const t of await this.stores.tokens()) if (await this.records.recordAll(t.store, runId)) tokensListed.push(t.store.id)
    const status = result.status === 'cancelled' ? 'cancelled' : 'finished'
    inv.finishScanRun(runId, { foldersVisited: result.stats.foldersVisited, certificatesFound: result.stats.certificatesFound, problems: result.stats.problems }, status)
    if (status === 'finished') {
      for (const r of result.roots) inv.markMissing(runId, r.path)
      if (keychain && keychainListed) inv.markMissing(runId, keychain.id)
      for (const id of tokensListed) inv.markMissing(runId, id)
    }
    const findings = computeFindings(
      { certificates: result.certificates, pfxFiles: result.pfxFiles, strayFiles: result.strayFiles, relatedStores: result.relatedStores, keptRoots: await keptIssuedRoots(this.lock.dataDir) },
      { now: this.now() },
    )
    inv.addFindings(runId, toInventoryFindings(findings))
    return { runId, result, findings }
  }
}
