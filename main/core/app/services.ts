/**
 * The composition of Dojang's core for the app and the CLI: the inventory, the stores of every medium, the
 * scanner and the operations. Electron-free: the app's IPC handlers and the `dojang` command both call this.
 * Every operation that changes files records an audit entry (what, which certificate, where; never a secret).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { DojangError, isDojangError } from '../../../common/errors'
import { emptyBackups, listBackups, recoverJournals, restoreBackup, type BackupInfo } from '../fsx'
import { openInventory, type Inventory } from '../inventory'
import type { AuditInput, CertificateWithCopies, ListQuery } from '../inventory/types'
import { loadCertBundle } from '../npki/certFolder'
import { allProfileRoots, defaultNpkiRoots } from '../npki/roots'
import { copyCertificate, moveCertificate } from '../ops/copy'
import { changeBundlePassword, changePassword, checkLoadedPassword, checkPassword, type PasswordCheckResult } from '../ops/password'
import { exportFolderToPfx, importPfxToRoot } from '../ops/pfx'
import { emptyTrash, listTrash, moveToTrash, restoreFromTrash, type TrashEntry } from '../ops/trash'
import { computeFindings, inventoryScanCache, scan, toInventoryFindings, toInventoryRecords, type Finding, type ScanProgress, type ScanResult, type ScanRoot } from '../scan'
import { DiskStore } from '../stores/diskStore'
import { KeychainStore } from '../stores/keychainStore'
import type { SecretStore } from '../stores/keychain/secretStore'
import { defaultVolumeSource, listRemovableStores, type VolumeSource } from '../stores/removable'
import type { CopyRef, Medium, Store } from '../stores/types'

export interface ServicesOptions {
  /** Dojang's data folder: inventory, backups, trash, keychain bundles. */
  dataDir: string
  /** NPKI roots on fixed disks. Default: the OS's standard roots (all profiles in helpdesk mode) + settings.extraRoots. */
  diskRoots?: string[]
  /** Removable volumes; null turns the medium off (CLI --root runs, tests). */
  volumeSource?: VolumeSource | null
  /** The OS keychain; null turns the keychain medium off. Default: keytar. */
  secretStore?: SecretStore | null
  /** Scan every user profile for this session only (the CLI's --all-profiles), whatever the setting says. */
  allProfiles?: boolean
  platform?: NodeJS.Platform
  env?: NodeJS.ProcessEnv
  home?: string
  now?: () => Date
}

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

export interface MediaTarget {
  medium: Medium
  root?: string
}

export class Services {
  readonly inventory: Inventory
  readonly keychain: KeychainStore | undefined
  private readonly now: () => Date

  constructor(
    readonly dataDir: string,
    private readonly opts: ServicesOptions,
  ) {
    this.now = opts.now ?? (() => new Date())
    this.inventory = openInventory(dataDir, { now: this.now })
    this.keychain = opts.secretStore === null ? undefined : new KeychainStore({ dataDir, ...(opts.secretStore ? { secrets: opts.secretStore } : {}), now: this.now })
  }

  // ---- stores ----

  async diskRoots(): Promise<string[]> {
    if (this.opts.diskRoots) return this.opts.diskRoots.map((r) => resolve(r))
    const settings = this.inventory.getSettings()
    const platform = this.opts.platform ?? process.platform
    const env = this.opts.env ?? process.env
    const standard = settings.helpdeskMode || this.opts.allProfiles ? await allProfileRoots(platform, env) : defaultNpkiRoots(platform, env, this.opts.home)
    return [...new Set([...standard.map((r) => r.path), ...settings.extraRoots])]
  }

  async diskStores(): Promise<DiskStore[]> {
    return (await this.diskRoots()).map((root) => new DiskStore(root, { medium: 'disk', label: root }))
  }

  async removableStores(): Promise<DiskStore[]> {
    if (this.opts.volumeSource === null) return []
    try {
      return await listRemovableStores(this.opts.volumeSource ?? defaultVolumeSource(this.opts.platform))
    } catch {
      return [] // a volume that vanished mid-listing must not break the app; the next rescan sees the truth
    }
  }

  async stores(): Promise<Store[]> {
    const stores: Store[] = [...(await this.diskStores()), ...(await this.removableStores())]
    if (this.keychain) stores.push(this.keychain)
    return stores
  }

  /** The store that holds `location`, from the inventory's record of the copy or from the known roots. */
  async storeFor(location: string): Promise<Store> {
    if (location.startsWith('keychain:')) {
      if (!this.keychain) throw new DojangError('NOT_FOUND', 'The keychain is not available on this computer', { location })
      return this.keychain
    }
    const stores = [...(await this.diskStores()), ...(await this.removableStores())]
    const inside = (root: string) => location === root || location.startsWith(root.endsWith(sep) ? root : root + sep)
    const known = stores.filter((s) => inside(s.root)).sort((a, b) => b.root.length - a.root.length)[0]
    if (known) return known
    const copy = this.findCopy(location)
    if (copy && inside(copy.root)) return new DiskStore(copy.root, { medium: copy.medium === 'removable' ? 'removable' : 'disk' })
    // A folder given by hand (CLI): <root>/<CA>/USER/<DN> names its own root.
    const userDir = dirname(location)
    if (basename(userDir).toLowerCase() === 'user') return new DiskStore(dirname(dirname(userDir)), { medium: 'disk' })
    throw new DojangError('NOT_FOUND', 'This copy is not in a known NPKI folder any more; scan again', { location })
  }

  async targetStore(target: MediaTarget): Promise<Store> {
    if (target.medium === 'keychain') return this.storeFor('keychain:')
    if (target.medium !== 'disk' && target.medium !== 'removable') {
      throw new DojangError('INVALID_INPUT', `Copying to ${target.medium} is not supported`, { medium: target.medium })
    }
    const candidates = target.medium === 'disk' ? await this.diskStores() : await this.removableStores()
    if (target.root) {
      const root = resolve(target.root)
      const match = candidates.find((s) => s.root === root)
      return match ?? new DiskStore(root, { medium: target.medium })
    }
    const first = candidates[0]
    if (!first) throw new DojangError('NOT_FOUND', target.medium === 'removable' ? 'No USB drive is connected' : 'No NPKI folder is configured', { medium: target.medium })
    return first
  }

  private findCopy(location: string) {
    for (const c of this.inventory.listCertificates({})) {
      const copy = c.copies.find((x) => x.location === location)
      if (copy) return copy
    }
    return undefined
  }

  // ---- scanning ----

  async scan(req: ScanRequest = {}): Promise<ScanOutcome> {
    const disk = await this.diskStores()
    const removable = await this.removableStores()
    const roots: ScanRoot[] = [
      ...disk.map((s) => ({ path: s.root, kind: 'npki' as const, medium: 'disk' as const })),
      ...removable.map((s) => ({ path: s.root, kind: 'npki' as const, medium: 'removable' as const })),
      ...(req.deep ?? []).map((d) => ({ path: resolve(d), kind: 'deep' as const, medium: 'other' as const })),
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
    await this.recordKeychainCopies(runId)
    const status = result.status === 'cancelled' ? 'cancelled' : 'finished'
    inv.finishScanRun(runId, { foldersVisited: result.stats.foldersVisited, certificatesFound: result.stats.certificatesFound, problems: result.stats.problems }, status)
    if (status === 'finished') {
      for (const r of result.roots) inv.markMissing(runId, r.path)
      if (this.keychain) inv.markMissing(runId, 'keychain')
    }
    const findings = computeFindings(
      { certificates: result.certificates, pfxFiles: result.pfxFiles, strayFiles: result.strayFiles, relatedStores: result.relatedStores },
      { now: this.now() },
    )
    inv.addFindings(runId, toInventoryFindings(findings))
    return { runId, result, findings }
  }

  private async recordKeychainCopies(runId: number): Promise<void> {
    if (!this.keychain) return
    let copies
    try {
      copies = await this.keychain.list()
    } catch {
      return // keychain locked or absent: its copies are simply not refreshed
    }
    for (const copy of copies) {
      try {
        this.recordLoaded(loadCertBundle(await this.keychain.read(copy.location), copy.location), 'keychain', copy.location, 'keychain', runId)
      } catch {
        // An unreadable bundle shows up as an orphan in the keychain's own listing.
      }
    }
  }

  /** Records one copy read outside a scan (keychain bundles, copies an operation just wrote). */
  private recordLoaded(loaded: ReturnType<typeof loadCertBundle>, medium: Medium, location: string, root: string, runId?: number): void {
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
    this.inventory.recordCopy({ ...key, medium, location, root, files }, runId)
  }

  // ---- reading ----

  listCertificates(query: ListQuery = {}): CertificateWithCopies[] {
    return this.inventory.listCertificates({ now: this.now(), ...query })
  }

  getCertificate(issuer: string, serial: string): CertificateWithCopies {
    const c = this.inventory.getCertificate(issuer, serial)
    if (!c) throw new DojangError('NOT_FOUND', 'This certificate is not in the inventory; scan again', { serial })
    return c
  }

  /** The parsed certificate of one copy (details screen). */
  async readCertificate(location: string) {
    const store = await this.storeFor(location)
    const bundle = await store.read(location)
    return { bundle, loaded: loadCertBundle(bundle, location) }
  }

  // ---- operations ----

  private audit(entry: AuditInput): void {
    try {
      this.inventory.audit(entry)
    } catch {
      // The audit log must never turn a done operation into a reported failure.
    }
  }

  /** Runs an operation and records it in the audit log with its outcome (never its secrets). */
  async audited<T>(entry: Omit<AuditInput, 'outcome'>, run: () => Promise<T>): Promise<T> {
    try {
      const value = await run()
      this.audit({ ...entry, outcome: 'ok' })
      return value
    } catch (e) {
      this.audit({ ...entry, outcome: isDojangError(e) ? e.code : 'INTERNAL' })
      throw e
    }
  }

  private certKeyOf(location: string) {
    const copy = this.findCopy(location)
    return copy ? { issuer: copy.issuer, serial: copy.serial } : null
  }

  async checkPassword(location: string, password: string): Promise<PasswordCheckResult> {
    if (location.startsWith('keychain:')) {
      const store = await this.storeFor(location)
      return checkLoadedPassword(loadCertBundle(await store.read(location), location), password)
    }
    return checkPassword(location, password)
  }

  /**
   * Changes one copy's password. A keychain copy is re-stored under a new id (bundles are immutable), so the
   * result names the location the copy has now.
   */
  async changePassword(location: string, oldPassword: string, newPassword: string, opts: { allowWeak?: boolean; kmPassword?: string } = {}): Promise<{ backupId: string; changed: string[]; location: string }> {
    return this.audited({ action: 'change-password', certificate: this.certKeyOf(location), locations: [location] }, async () => {
      if (!location.startsWith('keychain:')) return { ...(await changePassword(location, oldPassword, newPassword, { dataDir: this.dataDir, ...opts })), location }
      const store = await this.storeFor(location)
      const bundle = await store.read(location)
      const next = changeBundlePassword(bundle, location, oldPassword, newPassword, opts)
      // The keychain keeps no backups of its own: the old bundle goes to the trash first so the change can be undone.
      const trash = await moveToTrash(this.dataDir, store, location, { now: this.now() })
      let ref: CopyRef
      try {
        ref = await store.write({ files: next.files }, { dataDir: this.dataDir })
      } catch (e) {
        await restoreFromTrash(this.dataDir, trash.id, store)
        throw e
      }
      this.inventory.removeCopy(location)
      await this.refreshCopy(ref)
      return { backupId: `trash:${trash.id}`, changed: next.changed, location: ref.location }
    })
  }

  async deleteCopy(location: string): Promise<TrashEntry> {
    return this.audited({ action: 'delete', certificate: this.certKeyOf(location), locations: [location] }, async () => {
      const store = await this.storeFor(location)
      const entry = await moveToTrash(this.dataDir, store, location, { now: this.now() })
      this.inventory.removeCopy(location)
      return entry
    })
  }

  listTrash(): Promise<TrashEntry[]> {
    return listTrash(this.dataDir)
  }

  /** Deletes trash entries for good (their keys still open with the password they had). */
  async emptyTrash(opts: { olderThanDays?: number } = {}): Promise<number> {
    const olderThan = opts.olderThanDays === undefined ? undefined : new Date(this.now().getTime() - opts.olderThanDays * 86_400_000)
    return this.audited({ action: 'wipe', locations: [], detail: { what: 'trash', olderThanDays: opts.olderThanDays ?? 0 } }, () =>
      emptyTrash(this.dataDir, olderThan ? { olderThan } : {}),
    )
  }

  async restoreFromTrash(id: string, opts: { overwrite?: boolean } = {}): Promise<CopyRef> {
    const entry = (await listTrash(this.dataDir)).find((e) => e.id === id)
    if (!entry) throw new DojangError('NOT_FOUND', 'This item is no longer in the trash', { id })
    const certificate = entry.issuer && entry.serial ? { issuer: entry.issuer, serial: entry.serial } : null
    return this.audited({ action: 'restore', certificate, locations: [entry.location] }, async () => {
      const store =
        entry.medium === 'keychain'
          ? await this.storeFor('keychain:')
          : new DiskStore(entry.storeId, { medium: entry.medium === 'removable' ? 'removable' : 'disk', label: entry.label })
      const ref = await restoreFromTrash(this.dataDir, id, store, opts)
      await this.refreshCopy(ref)
      return ref
    })
  }

  async copy(location: string, target: MediaTarget, opts: { move?: boolean; overwrite?: boolean } = {}): Promise<CopyRef> {
    return this.audited({ action: opts.move ? 'move' : 'copy', certificate: this.certKeyOf(location), locations: [location] }, async () => {
      const from = await this.storeFor(location)
      const to = await this.targetStore(target)
      const ref = opts.move
        ? (await moveCertificate(this.dataDir, from, location, to, { overwrite: opts.overwrite })).copy
        : await copyCertificate(this.dataDir, from, location, to, { overwrite: opts.overwrite })
      if (opts.move) this.inventory.removeCopy(location)
      await this.refreshCopy(ref)
      return ref
    })
  }

  /** Writes a PFX of one disk copy (passwords used for this call only). */
  async exportPfx(location: string, password: string, pfxPassword: string, opts: { profile: 'bank' | 'modern'; includeKm?: boolean; out: string; overwrite?: boolean }) {
    if (location.startsWith('keychain:')) throw new DojangError('INVALID_INPUT', 'Copy the certificate to a disk first, then export it')
    return this.audited({ action: 'export', certificate: this.certKeyOf(location), locations: [location], detail: { profile: opts.profile } }, () =>
      exportFolderToPfx(location, password, pfxPassword, opts),
    )
  }

  /** Imports a PFX as an NPKI pair into a medium; the keychain gets it through a private staging folder. */
  async importPfx(pfx: Uint8Array, pfxPassword: string, newPassword: string, target: MediaTarget, opts: { allowWeak?: boolean; overwrite?: boolean } = {}): Promise<{ location: string; warnings: string[] }> {
    return this.audited({ action: 'import', locations: [], detail: { medium: target.medium } }, async () => {
      if (target.medium === 'keychain') {
        const staging = await mkdtemp(join(tmpdir(), 'dojang-import-'))
        try {
          const r = await importPfxToRoot(pfx, pfxPassword, newPassword, { root: staging, dataDir: this.dataDir, ...opts })
          const ref = await this.copyFromRoot(staging, r.dir, { medium: 'keychain' }, { overwrite: opts.overwrite })
          return { location: ref.location, warnings: [...r.warnings] }
        } finally {
          await rm(staging, { recursive: true, force: true })
        }
      }
      const store = await this.targetStore(target)
      if (!(store instanceof DiskStore)) throw new DojangError('INVALID_INPUT', 'Choose a disk or USB drive to import into')
      const r = await importPfxToRoot(pfx, pfxPassword, newPassword, { root: store.root, dataDir: this.dataDir, ...opts })
      await this.refreshCopy({ medium: store.medium, storeId: store.root, location: r.dir, label: store.label })
      return { location: r.dir, warnings: [...r.warnings] }
    })
  }

  /** The files earlier operations replaced (old key files still open with the old password). */
  listBackups(): Promise<BackupInfo[]> {
    return listBackups(this.dataDir)
  }

  /** Deletes backups for good: after a password change because the old one leaked, the old files must go too. */
  async emptyBackups(opts: { olderThanDays?: number } = {}): Promise<number> {
    const olderThan = opts.olderThanDays === undefined ? undefined : new Date(this.now().getTime() - opts.olderThanDays * 86_400_000)
    return this.audited({ action: 'wipe', locations: [], detail: { what: 'backups', olderThanDays: opts.olderThanDays ?? 0 } }, () =>
      emptyBackups(this.dataDir, olderThan ? { olderThan } : {}),
    )
  }

  /** Puts the files of a backup back (itself undoable: the files it replaces become a new backup). */
  async restoreBackup(id: string): Promise<string> {
    return this.audited({ action: 'restore', locations: [], detail: { what: 'backup' } }, async () => (await restoreBackup(this.dataDir, id)).backupId)
  }

  /** Copies a certificate from a folder outside the known roots (an import's staging folder) into a medium. */
  async copyFromRoot(root: string, location: string, target: MediaTarget, opts: { overwrite?: boolean } = {}): Promise<CopyRef> {
    const ref = await copyCertificate(this.dataDir, new DiskStore(resolve(root), { medium: 'disk' }), location, await this.targetStore(target), opts)
    await this.refreshCopy(ref)
    return ref
  }

  /** Records a copy that an operation just wrote, so the list shows it without a rescan. */
  async refreshCopy(ref: CopyRef): Promise<void> {
    try {
      const store = ref.medium === 'keychain' ? await this.storeFor(ref.location) : new DiskStore(ref.storeId, { medium: ref.medium === 'removable' ? 'removable' : 'disk' })
      const root = ref.medium === 'keychain' ? 'keychain' : ref.storeId
      this.recordLoaded(loadCertBundle(await store.read(ref.location), ref.location), ref.medium, ref.location, root)
    } catch {
      // The next scan records it.
    }
  }

  close(): void {
    this.inventory.close()
  }
}

/** Opens the services; an interrupted file operation from a previous run is completed or rolled back first. */
export async function openServices(opts: ServicesOptions): Promise<Services> {
  const dataDir = resolve(opts.dataDir)
  await recoverJournals(dataDir)
  return new Services(dataDir, { ...opts, dataDir })
}
