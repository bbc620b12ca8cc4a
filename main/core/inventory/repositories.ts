/**
 * The inventory's concerns, one interface each. The SQLite inventory implements them all; code depends on the
 * ones it uses, so a reader of the audit log cannot touch the scan cache by accident.
 */
import type {
  AuditEntry,
  AuditInput,
  CacheEntry,
  CertificateInput,
  CertificateRecord,
  CertificateWithCopies,
  CopyInput,
  CopyRecord,
  Finding,
  FindingInput,
  JsonValue,
  KnownSettings,
  ListQuery,
  Medium,
  ScanCounts,
  ScanEndStatus,
  ScanRun,
  SettingKey,
} from './types'

export interface CertificateRepository {
  upsertCertificate(cert: CertificateInput): CertificateRecord
  listCertificates(query?: ListQuery): CertificateWithCopies[]
  getCertificate(issuer: string, serial: string): CertificateWithCopies | null
}

export interface CopyRepository {
  /** Upserts by location; marks the copy seen now (and by `runId`), clearing any "missing since". */
  recordCopy(copy: CopyInput, runId?: number | null): CopyRecord
  /**
   * After a finished run, flags copies in scope that the run did not see. `scope` is a medium name or a root
   * path (matched as a path prefix at a separator boundary). Returns the number of copies newly flagged.
   */
  markMissing(runId: number, scope: Medium | string): number
  removeCopy(location: string): boolean
}

export interface ScanCacheRepository {
  /** With `current`, a size or mtime mismatch is a miss (returns null). */
  cacheGet(path: string, current?: { size: number; mtimeMs: number }): CacheEntry | null
  /**
   * Every cache entry by path, in one query, so that a scan needs no query per file; null when there are more
   * than `limit` (default 20,000) entries, to keep memory bounded (the caller then asks per file).
   */
  cacheSnapshot(limit?: number): Map<string, CacheEntry> | null
  cachePut(path: string, size: number, mtimeMs: number, parsed: JsonValue): void
  /** Deletes the entry for this path and everything below it. Returns the number deleted. */
  cacheDelete(pathPrefix: string): number
}

export interface ScanRunRepository {
  beginScanRun(roots: string[]): number
  finishScanRun(id: number, counts: ScanCounts, status: ScanEndStatus): ScanRun
  getScanRun(id: number): ScanRun | null
  latestScanRun(): ScanRun | null
}

export interface FindingRepository {
  addFindings(runId: number, findings: FindingInput[]): number
  findings(runId: number): Finding[]
  /** Findings of the most recent finished run. */
  latestFindings(): { run: ScanRun; findings: Finding[] } | null
}

export interface AuditRepository {
  audit(entry: AuditInput): AuditEntry
  /** Newest first; `before` is an entry id for paging. */
  auditLog(opts?: { limit?: number; before?: number }): AuditEntry[]
}

export interface SettingsRepository {
  getSetting<K extends SettingKey>(key: K): KnownSettings[K]
  setSetting<K extends SettingKey>(key: K, value: KnownSettings[K]): void
  getSettings(): KnownSettings
}
