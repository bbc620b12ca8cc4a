/**
 * The inventory: what Dojang knows about certificates and their copies, scan history, the audit log and
 * settings, in `<dataDir>/inventory.db`. Synchronous (better-sqlite3): every call is a short indexed query, and
 * batching many writes in `transaction()` makes a scan of thousands of folders cost milliseconds per thousand.
 *
 * Nothing secret is stored: records carry names, paths, hashes and dates only, and the free-form JSON fields
 * (audit detail, findings detail, settings, scan cache) go through a secret-name guard (secrets.ts).
 */
import type Database from 'better-sqlite3'
import { daysLeftHorizon } from '../../../common/domain'
import { DojangError } from '../../../common/errors'
import { openDatabase } from './open'
import type { AuditRepository, CertificateRepository, CopyRepository, FindingRepository, ScanCacheRepository, ScanRunRepository, SettingsRepository } from './repositories'
import { findSecretField } from './secrets'
import {
  MEDIA,
  type AuditEntry,
  type AuditInput,
  type CacheEntry,
  type CertificateInput,
  type CertificateKey,
  type CertificateRecord,
  type CertificateWithCopies,
  type CopyInput,
  type CopyRecord,
  type Finding,
  type FindingInput,
  type InventoryNotice,
  type JsonObject,
  type JsonValue,
  type KnownSettings,
  type ListQuery,
  type Medium,
  type OpenOptions,
  type ScanCounts,
  type ScanEndStatus,
  type ScanRun,
  type ScanStatus,
  type SettingKey,
} from './types'
import {
  SETTING_DEFAULTS,
  SETTING_SCHEMAS,
  auditInputSchema,
  cachePutSchema,
  certificateInputSchema,
  copyInputSchema,
  findingInputSchema,
  isSettingKey,
  normalizeSerial,
  parseInput,
  scanCountsSchema,
  scanRootsSchema,
} from './validate'

/** Older runs (and their findings) are pruned so the history cannot grow without bound. */
const KEEP_SCAN_RUNS = 50

/**
 * The inventory is one SQLite file, seen by its users through narrow repositories (repositories.ts): a command
 * that only audits asks for an AuditRepository, the scan for a ScanRunRepository and so on.
 */
export interface Inventory extends CertificateRepository, CopyRepository, ScanCacheRepository, ScanRunRepository, FindingRepository, AuditRepository, SettingsRepository {
  /** What happened while opening (recovered file, lock fallback, newer schema) for the CLI and UI to show. */
  readonly notices: readonly InventoryNotice[]
  /** The database file, or ':memory:' after a fallback. */
  readonly path: string
  readonly inMemory: boolean
  /** Writes throw CONFLICT (opened with `readonly`, or the file comes from a newer Dojang). */
  readonly readonly: boolean

  /** Runs `fn` in one transaction (nested calls become savepoints). Throwing rolls everything back. */
  transaction<T>(fn: () => T): T
  close(): void
}

export function openInventory(dataDir: string, opts: OpenOptions = {}): Inventory {
  return new SqliteInventory(dataDir, opts)
}

interface CertificateRow {
  id: number
  issuer: string
  serial: string
  subject: string
  display_name: string
  ca: string | null
  not_before: number
  not_after: number
  policy_oid: string | null
  purpose: string | null
  fingerprint_sha256: string
  first_seen: number
  last_seen: number
}

interface CopyRow {
  certificate_id: number
  medium: Medium
  location: string
  root: string
  has_sign_cert: number
  has_sign_pri: number
  has_km_cert: number
  has_km_pri: number
  has_pfx: number
  key_scheme: string | null
  content_hash: string | null
  first_seen: number
  last_seen: number
  last_run_id: number | null
  missing_since: number | null
}

interface ScanRunRow {
  id: number
  started_at: number
  finished_at: number | null
  roots: string
  folders_visited: number
  certificates_found: number
  problems: number
  status: ScanStatus
}

interface FindingRow {
  id: number
  run_id: number
  kind: string
  severity: Finding['severity']
  issuer: string | null
  serial: string | null
  location: string | null
  detail: string
}

interface AuditRow {
  id: number
  at: number
  action: AuditEntry['action']
  issuer: string | null
  serial: string | null
  locations: string
  outcome: AuditEntry['outcome']
  detail: string
}

// Explicit column lists: search_text is internal, and a newer schema may add columns we do not know.
const CERT_COLUMNS = ['id', 'issuer', 'serial', 'subject', 'display_name', 'ca', 'not_before', 'not_after', 'policy_oid', 'purpose', 'fingerprint_sha256', 'first_seen', 'last_seen']
  .map((c) => `c.${c}`)
  .join(', ')
const COPY_COLUMNS =
  'certificate_id, medium, location, root, has_sign_cert, has_sign_pri, has_km_cert, has_km_pri, has_pfx, key_scheme, content_hash, first_seen, last_seen, last_run_id, missing_since'

const iso = (ms: number): string => new Date(ms).toISOString()
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms))

function keyOf(issuer: string | null, serial: string | null): CertificateKey | null {
  return issuer !== null && serial !== null ? { issuer, serial } : null
}

/** SQL condition "column is `prefix` or lies below it", without LIKE (paths may contain % and _). */
function underPrefix(column: string, param: string): string {
  return `(${column} = @${param} OR substr(${column}, 1, length(@${param}Slash)) = @${param}Slash OR substr(${column}, 1, length(@${param}Back)) = @${param}Back)`
}

function prefixParams(param: string, prefix: string): Record<string, string> {
  const bounded = /[\\/]$/.test(prefix)
  return {
    [param]: prefix,
    [`${param}Slash`]: bounded ? prefix : `${prefix}/`,
    [`${param}Back`]: bounded ? prefix : `${prefix}\\`,
  }
}

function searchText(c: { displayName: string; subject: string; issuer: string; ca: string | null; serial: string }): string {
  return [c.displayName, c.subject, c.issuer, c.ca ?? '', c.serial].join('\n').normalize('NFC').toLowerCase()
}

class SqliteInventory implements Inventory {
  readonly notices: readonly InventoryNotice[]
  readonly path: string
  readonly inMemory: boolean
  readonly readonly: boolean
  private readonly newerSchema: boolean
  private readonly db: Database.Database
  private readonly clock: () => Date
  private readonly statements = new Map<string, Database.Statement>()

  constructor(dataDir: string, opts: OpenOptions) {
    const opened = openDatabase(dataDir, opts)
    this.db = opened.db
    this.path = opened.path
    this.inMemory = opened.inMemory
    this.readonly = opened.readonly
    this.newerSchema = opened.newerSchema
    this.notices = Object.freeze([...opened.notices])
    this.clock = opts.now ?? (() => new Date())
  }

  // Prepared on first use and cached: opening stays cheap, and a connection that only reads never prepares
  // statements for tables or columns it does not need.
  private stmt(sql: string): Database.Statement {
    if (!this.db.open) throw new DojangError('INTERNAL', 'The inventory has been closed.')
    let s = this.statements.get(sql)
    if (s === undefined) {
      s = this.db.prepare(sql)
      this.statements.set(sql, s)
    }
    return s
  }

  private writable(): void {
    if (!this.readonly) return
    throw new DojangError(
      'CONFLICT',
      this.newerSchema
        ? 'The inventory belongs to a newer version of Dojang and is open read-only. Update Dojang to make changes.'
        : 'The inventory was opened read-only.',
      { path: this.path },
    )
  }

  private nowMs(): number {
    return this.clock().getTime()
  }

  // ---- certificates and copies ------------------------------------------------------------------------------

  upsertCertificate(cert: CertificateInput): CertificateRecord {
    this.writable()
    const c = parseInput(certificateInputSchema, cert, 'certificate')
    const now = this.nowMs()
    const row = this.stmt(
      `INSERT INTO certificates (issuer, serial, subject, display_name, ca, not_before, not_after, policy_oid, purpose,
                                 fingerprint_sha256, search_text, first_seen, last_seen)
       VALUES (@issuer, @serial, @subject, @displayName, @ca, @notBefore, @notAfter, @policyOid, @purpose,
               @fingerprintSha256, @searchText, @now, @now)
       ON CONFLICT (issuer, serial) DO UPDATE SET
         subject = excluded.subject, display_name = excluded.display_name, ca = excluded.ca,
         not_before = excluded.not_before, not_after = excluded.not_after, policy_oid = excluded.policy_oid,
         purpose = excluded.purpose, fingerprint_sha256 = excluded.fingerprint_sha256,
         search_text = excluded.search_text, last_seen = excluded.last_seen
       RETURNING *`,
    ).get({ ...c, searchText: searchText(c), now }) as CertificateRow
    return this.toCertificate(row)
  }

  recordCopy(copy: CopyInput, runId: number | null = null): CopyRecord {
    this.writable()
    const c = parseInput(copyInputSchema, copy, 'copy')
    const cert = this.stmt('SELECT id FROM certificates WHERE issuer = ? AND serial = ?').get(c.issuer, c.serial) as
      | { id: number }
      | undefined
    if (cert === undefined) {
      throw new DojangError('NOT_FOUND', 'Record the certificate before its copy.', { serial: c.serial })
    }
    if (runId !== null) this.requireRun(runId)
    const now = this.nowMs()
    const row = this.stmt(
      `INSERT INTO copies (certificate_id, medium, location, root, has_sign_cert, has_sign_pri, has_km_cert, has_km_pri,
                           has_pfx, key_scheme, content_hash, first_seen, last_seen, last_run_id, missing_since)
       VALUES (@certificateId, @medium, @location, @root, @signCert, @signPri, @kmCert, @kmPri, @pfx, @keyScheme,
               @contentHash, @now, @now, @runId, NULL)
       ON CONFLICT (location) DO UPDATE SET
         -- a folder that now holds another certificate (e.g. replaced by its renewal) is a new copy
         first_seen = CASE WHEN certificate_id = excluded.certificate_id THEN first_seen ELSE excluded.first_seen END,
         certificate_id = excluded.certificate_id, medium = excluded.medium, root = excluded.root,
         has_sign_cert = excluded.has_sign_cert, has_sign_pri = excluded.has_sign_pri,
         has_km_cert = excluded.has_km_cert, has_km_pri = excluded.has_km_pri, has_pfx = excluded.has_pfx,
         key_scheme = excluded.key_scheme, content_hash = excluded.content_hash,
         last_seen = excluded.last_seen, last_run_id = excluded.last_run_id, missing_since = NULL
       RETURNING *`,
    ).get({
      certificateId: cert.id,
      medium: c.medium,
      location: c.location,
      root: c.root,
      signCert: c.files.signCert ? 1 : 0,
      signPri: c.files.signPri ? 1 : 0,
      kmCert: c.files.kmCert ? 1 : 0,
      kmPri: c.files.kmPri ? 1 : 0,
      pfx: c.files.pfx ? 1 : 0,
      keyScheme: c.keyScheme,
      contentHash: c.contentHash,
      now,
      runId,
    }) as CopyRow
    return this.toCopy(row, c.issuer, c.serial)
  }

  markMissing(runId: number, scope: Medium | string): number {
    this.writable()
    const run = this.requireRun(runId)
    if (run.status !== 'finished') {
      // A cancelled or failed run did not look everywhere: absence proves nothing.
      throw new DojangError('CONFLICT', 'Only a finished scan can mark copies as missing.', { runId, status: run.status })
    }
    if (typeof scope !== 'string' || scope === '') {
      throw new DojangError('INVALID_INPUT', 'markMissing needs a medium or a root path.', { field: 'scope' })
    }
    const byMedium = (MEDIA as readonly string[]).includes(scope)
    const where = byMedium ? 'medium = @medium' : underPrefix('location', 'prefix')
    const params = byMedium ? { medium: scope } : prefixParams('prefix', scope)
    // Not seen by this run nor a later one; copies recorded outside any run count if older than the run.
    const result = this.stmt(
      `UPDATE copies SET missing_since = @at
       WHERE missing_since IS NULL AND ${where}
         AND (last_run_id < @runId OR (last_run_id IS NULL AND last_seen < @startedAt))`,
    ).run({ ...params, at: run.finished_at ?? this.nowMs(), runId, startedAt: run.started_at })
    return result.changes
  }

  listCertificates(query: ListQuery = {}): CertificateWithCopies[] {
    const where: string[] = []
    const params: Record<string, string | number> = {}
    if (query.medium !== undefined) {
      if (!(MEDIA as readonly string[]).includes(query.medium)) {
        throw new DojangError('INVALID_INPUT', 'Unknown medium.', { field: 'medium' })
      }
      where.push('EXISTS (SELECT 1 FROM copies k WHERE k.certificate_id = c.id AND k.medium = @medium AND k.missing_since IS NULL)')
      params.medium = query.medium
    } else {
      // A certificate whose copies were all removed is history (audit, findings), not part of the list.
      where.push('EXISTS (SELECT 1 FROM copies k WHERE k.certificate_id = c.id)')
    }
    const search = query.search?.normalize('NFC').trim().toLowerCase()
    if (search) {
      where.push('instr(c.search_text, @search) > 0')
      params.search = search
    }
    const now = (query.now ?? this.clock()).getTime()
    if (query.expiringWithinDays !== undefined) {
      const days = query.expiringWithinDays
      if (!Number.isFinite(days) || days < 0) {
        throw new DojangError('INVALID_INPUT', 'expiringWithinDays must be zero or more.', { field: 'expiringWithinDays' })
      }
      // daysLeft ≤ days (common/domain's Korean calendar days): not expired yet, and before the horizon.
      where.push('c.not_after >= @now AND c.not_after < @horizon')
      params.now = now
      params.horizon = daysLeftHorizon(now, days)
    }
    if (query.expired !== undefined) {
      where.push(query.expired ? 'c.not_after < @now' : 'c.not_after >= @now')
      params.now = now
    }
    let page = ''
    if (query.limit !== undefined || query.offset !== undefined) {
      const limit = query.limit ?? -1 // SQLite: a negative LIMIT means no limit
      const offset = query.offset ?? 0
      if (!Number.isInteger(limit) || !Number.isInteger(offset) || offset < 0) {
        throw new DojangError('INVALID_INPUT', 'limit and offset must be whole numbers.', { field: 'limit' })
      }
      page = ' LIMIT @limit OFFSET @offset'
      params.limit = limit
      params.offset = offset
    }
    const certs = this.stmt(
      `SELECT ${CERT_COLUMNS} FROM certificates c WHERE ${where.join(' AND ')} ORDER BY c.not_after, c.display_name, c.id${page}`,
    ).all(params) as CertificateRow[]
    return this.withCopies(certs, where.length === 1 && query.medium === undefined && page === '')
  }

  getCertificate(issuer: string, serial: string): CertificateWithCopies | null {
    const row = this.stmt(`SELECT ${CERT_COLUMNS} FROM certificates c WHERE issuer = ? AND serial = ?`).get(
      issuer.normalize('NFC'),
      normalizeSerial(serial),
    ) as CertificateRow | undefined
    return row === undefined ? null : (this.withCopies([row])[0] ?? null)
  }

  removeCopy(location: string): boolean {
    this.writable()
    return this.stmt('DELETE FROM copies WHERE location = ?').run(location).changes > 0
  }

  private withCopies(certs: CertificateRow[], all = false): CertificateWithCopies[] {
    if (certs.length === 0) return []
    // The certificate rows already carry issuer and serial, so copies need no join; an unfiltered list reads
    // every copy in one scan instead of probing the index once per certificate.
    const rows = (
      all
        ? this.stmt(`SELECT ${COPY_COLUMNS} FROM copies ORDER BY first_seen, id`).all()
        : this.stmt(
            `SELECT ${COPY_COLUMNS} FROM copies WHERE certificate_id IN (SELECT value FROM json_each(?)) ORDER BY first_seen, id`,
          ).all(JSON.stringify(certs.map((c) => c.id)))
    ) as CopyRow[]
    const result = new Map<number, CertificateWithCopies>()
    for (const c of certs) result.set(c.id, { ...this.toCertificate(c), copies: [] })
    for (const row of rows) {
      const owner = result.get(row.certificate_id)
      if (owner !== undefined) owner.copies.push(this.toCopy(row, owner.issuer, owner.serial))
    }
    return [...result.values()]
  }

  private toCertificate(r: CertificateRow): CertificateRecord {
    return {
      issuer: r.issuer,
      serial: r.serial,
      subject: r.subject,
      displayName: r.display_name,
      ca: r.ca,
      notBefore: iso(r.not_before),
      notAfter: iso(r.not_after),
      policyOid: r.policy_oid,
      purpose: r.purpose,
      fingerprintSha256: r.fingerprint_sha256,
      firstSeen: iso(r.first_seen),
      lastSeen: iso(r.last_seen),
    }
  }

  private toCopy(r: CopyRow, issuer: string, serial: string): CopyRecord {
    return {
      issuer,
      serial,
      medium: r.medium,
      location: r.location,
      root: r.root,
      files: {
        signCert: r.has_sign_cert === 1,
        signPri: r.has_sign_pri === 1,
        kmCert: r.has_km_cert === 1,
        kmPri: r.has_km_pri === 1,
        pfx: r.has_pfx === 1,
      },
      keyScheme: r.key_scheme,
      contentHash: r.content_hash,
      firstSeen: iso(r.first_seen),
      lastSeen: iso(r.last_seen),
      lastRunId: r.last_run_id,
      missingSince: isoOrNull(r.missing_since),
    }
  }

  // ---- scan cache -------------------------------------------------------------------------------------------

  cacheGet(path: string, current?: { size: number; mtimeMs: number }): CacheEntry | null {
    const row = this.stmt('SELECT * FROM scan_cache WHERE path = ?').get(path) as
      | { path: string; size: number; mtime_ms: number; parsed: string; updated_at: number }
      | undefined
    if (row === undefined) return null
    if (current !== undefined && (row.size !== current.size || row.mtime_ms !== current.mtimeMs)) return null
    return { path: row.path, size: row.size, mtimeMs: row.mtime_ms, parsed: JSON.parse(row.parsed) as JsonValue, updatedAt: iso(row.updated_at) }
  }

  cacheSnapshot(limit = 20_000): Map<string, CacheEntry> | null {
    const rows = this.stmt('SELECT path, size, mtime_ms, parsed, updated_at FROM scan_cache LIMIT ?').all(limit + 1) as {
      path: string
      size: number
      mtime_ms: number
      parsed: string
      updated_at: number
    }[]
    if (rows.length > limit) return null
    const entries = new Map<string, CacheEntry>()
    for (const r of rows) {
      entries.set(r.path, { path: r.path, size: r.size, mtimeMs: r.mtime_ms, parsed: JSON.parse(r.parsed) as JsonValue, updatedAt: iso(r.updated_at) })
    }
    return entries
  }

  cachePut(path: string, size: number, mtimeMs: number, parsed: JsonValue): void {
    this.writable()
    const e = parseInput(cachePutSchema, { path, size, mtimeMs, parsed }, 'scan cache entry')
    this.stmt(
      `INSERT INTO scan_cache (path, size, mtime_ms, parsed, updated_at) VALUES (@path, @size, @mtimeMs, @parsed, @now)
       ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, parsed = excluded.parsed,
         updated_at = excluded.updated_at`,
    ).run({ path: e.path, size: e.size, mtimeMs: e.mtimeMs, parsed: JSON.stringify(e.parsed), now: this.nowMs() })
  }

  cacheDelete(pathPrefix: string): number {
    this.writable()
    if (pathPrefix === '') throw new DojangError('INVALID_INPUT', 'cacheDelete needs a path.', { field: 'pathPrefix' })
    return this.stmt(`DELETE FROM scan_cache WHERE ${underPrefix('path', 'prefix')}`).run(prefixParams('prefix', pathPrefix)).changes
  }

  // ---- scan runs and findings -------------------------------------------------------------------------------

  beginScanRun(roots: string[]): number {
    this.writable()
    const r = parseInput(scanRootsSchema, roots, 'scan roots')
    return this.transaction(() => {
      const id = Number(
        this.stmt(`INSERT INTO scan_runs (started_at, roots, status) VALUES (?, ?, 'running')`).run(this.nowMs(), JSON.stringify(r))
          .lastInsertRowid,
      )
      // Findings cascade; copies keep their data and lose only the run reference.
      this.stmt('DELETE FROM scan_runs WHERE id <= ?').run(id - KEEP_SCAN_RUNS)
      return id
    })
  }

  finishScanRun(id: number, counts: ScanCounts, status: ScanEndStatus): ScanRun {
    this.writable()
    const c = parseInput(scanCountsSchema, counts, 'scan counts')
    if (!['finished', 'cancelled', 'failed'].includes(status)) {
      throw new DojangError('INVALID_INPUT', 'Unknown scan status.', { field: 'status' })
    }
    const run = this.requireRun(id)
    if (run.status !== 'running') throw new DojangError('CONFLICT', 'This scan run has already ended.', { runId: id })
    this.stmt(
      `UPDATE scan_runs SET finished_at = @at, folders_visited = @foldersVisited, certificates_found = @certificatesFound,
         problems = @problems, status = @status WHERE id = @id`,
    ).run({ ...c, at: this.nowMs(), status, id })
    return this.toScanRun(this.requireRun(id))
  }

  getScanRun(id: number): ScanRun | null {
    const row = this.stmt('SELECT * FROM scan_runs WHERE id = ?').get(id) as ScanRunRow | undefined
    return row === undefined ? null : this.toScanRun(row)
  }

  latestScanRun(): ScanRun | null {
    const row = this.stmt('SELECT * FROM scan_runs ORDER BY id DESC LIMIT 1').get() as ScanRunRow | undefined
    return row === undefined ? null : this.toScanRun(row)
  }

  addFindings(runId: number, findings: FindingInput[]): number {
    this.writable()
    this.requireRun(runId)
    // Validate everything first so one bad finding stores none of the batch.
    const parsed = findings.map((f, i) => parseInput(findingInputSchema, f, `finding ${i}`))
    const insert = this.stmt(
      `INSERT INTO findings (run_id, kind, severity, issuer, serial, location, detail)
       VALUES (@runId, @kind, @severity, @issuer, @serial, @location, @detail)`,
    )
    this.transaction(() => {
      for (const f of parsed) {
        insert.run({
          runId,
          kind: f.kind,
          severity: f.severity,
          issuer: f.certificate?.issuer ?? null,
          serial: f.certificate?.serial ?? null,
          location: f.location,
          detail: JSON.stringify(f.detail),
        })
      }
    })
    return parsed.length
  }

  findings(runId: number): Finding[] {
    const rows = this.stmt('SELECT * FROM findings WHERE run_id = ? ORDER BY id').all(runId) as FindingRow[]
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      kind: r.kind,
      severity: r.severity,
      certificate: keyOf(r.issuer, r.serial),
      location: r.location,
      detail: JSON.parse(r.detail) as JsonObject,
    }))
  }

  latestFindings(): { run: ScanRun; findings: Finding[] } | null {
    const row = this.stmt(`SELECT * FROM scan_runs WHERE status = 'finished' ORDER BY id DESC LIMIT 1`).get() as
      | ScanRunRow
      | undefined
    if (row === undefined) return null
    return { run: this.toScanRun(row), findings: this.findings(row.id) }
  }

  private requireRun(id: number): ScanRunRow {
    const row = this.stmt('SELECT * FROM scan_runs WHERE id = ?').get(id) as ScanRunRow | undefined
    if (row === undefined) throw new DojangError('NOT_FOUND', 'No such scan run.', { runId: id })
    return row
  }

  private toScanRun(r: ScanRunRow): ScanRun {
    return {
      id: r.id,
      startedAt: iso(r.started_at),
      finishedAt: isoOrNull(r.finished_at),
      roots: JSON.parse(r.roots) as string[],
      counts: { foldersVisited: r.folders_visited, certificatesFound: r.certificates_found, problems: r.problems },
      status: r.status,
    }
  }

  // ---- audit log --------------------------------------------------------------------------------------------

  audit(entry: AuditInput): AuditEntry {
    this.writable()
    const e = parseInput(auditInputSchema, entry, 'audit entry')
    const row = this.stmt(
      `INSERT INTO audit_log (at, action, issuer, serial, locations, outcome, detail)
       VALUES (@at, @action, @issuer, @serial, @locations, @outcome, @detail) RETURNING *`,
    ).get({
      at: this.nowMs(),
      action: e.action,
      issuer: e.certificate?.issuer ?? null,
      serial: e.certificate?.serial ?? null,
      locations: JSON.stringify(e.locations),
      outcome: e.outcome,
      detail: JSON.stringify(e.detail),
    }) as AuditRow
    return this.toAudit(row)
  }

  auditLog(opts: { limit?: number; before?: number } = {}): AuditEntry[] {
    const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 100), 1), 10_000)
    const rows = (
      opts.before === undefined
        ? this.stmt('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit)
        : this.stmt('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?').all(opts.before, limit)
    ) as AuditRow[]
    return rows.map((r) => this.toAudit(r))
  }

  private toAudit(r: AuditRow): AuditEntry {
    return {
      id: r.id,
      at: iso(r.at),
      action: r.action,
      certificate: keyOf(r.issuer, r.serial),
      locations: JSON.parse(r.locations) as string[],
      outcome: r.outcome,
      detail: JSON.parse(r.detail) as JsonObject,
    }
  }

  // ---- settings ---------------------------------------------------------------------------------------------

  getSetting<K extends SettingKey>(key: K): KnownSettings[K] {
    if (!isSettingKey(key)) throw new DojangError('INVALID_INPUT', 'Unknown setting.', { field: String(key) })
    const row = this.stmt('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
    if (row !== undefined) {
      // A value written by another version or edited by hand may not fit: fall back to the default.
      let stored: unknown
      try {
        stored = JSON.parse(row.value)
      } catch {
        stored = undefined
      }
      const parsed = SETTING_SCHEMAS[key].safeParse(stored)
      if (parsed.success) return parsed.data
    }
    return structuredClone(SETTING_DEFAULTS[key])
  }

  setSetting<K extends SettingKey>(key: K, value: KnownSettings[K]): void {
    this.writable()
    if (!isSettingKey(key)) throw new DojangError('INVALID_INPUT', 'Unknown setting.', { field: String(key) })
    const v = parseInput(SETTING_SCHEMAS[key], value, `setting ${key}`)
    const secret = findSecretField(v)
    if (secret !== null) throw new DojangError('INVALID_INPUT', 'Refused to store a value that looks secret.', { field: key })
    this.stmt('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
      key,
      JSON.stringify(v),
    )
  }

  getSettings(): KnownSettings {
    return {
      language: this.getSetting('language'),
      notifyDays: this.getSetting('notifyDays'),
      extraRoots: this.getSetting('extraRoots'),
      helpdeskMode: this.getSetting('helpdeskMode'),
      caProfiles: this.getSetting('caProfiles'),
      tokenModules: this.getSetting('tokenModules'),
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------------------------

  transaction<T>(fn: () => T): T {
    if (!this.db.open) throw new DojangError('INTERNAL', 'The inventory has been closed.')
    return this.db.transaction(fn)()
  }

  close(): void {
    if (!this.db.open) return
    if (!this.readonly && !this.inMemory) {
      try {
        this.db.pragma('optimize') // keeps query plans good as tables grow; cheap when nothing changed
      } catch {
        // best effort only
      }
    }
    this.statements.clear()
    this.db.close()
  }
}
