/**
 * Plain, JSON-friendly records of the inventory. Deliberately independent of the npki and scan modules: the
 * scanner maps its parse results onto these shapes, so the database never depends on parser internals.
 *
 * Times are ISO 8601 strings in UTC (`Date.prototype.toISOString()` form). Serial numbers are lowercase hex
 * without leading zeros (see `normalizeSerial`), so "00AB" and "ab" name the same certificate.
 */
import type { CaProfile } from '../issuance/profiles'
import type { ErrorCode } from '../../../common/errors'

import type { Medium } from '../../../common/domain'

export { MEDIA, type Medium } from '../../../common/domain'

/** The files that make up one copy of a certificate (an NPKI folder, a PFX file, a keychain bundle). */
export const COPY_FILES = ['signCert', 'signPri', 'kmCert', 'kmPri', 'pfx'] as const
export type CopyFile = (typeof COPY_FILES)[number]
export type CopyFiles = Record<CopyFile, boolean>

/** A certificate is identified by its issuer DN and serial number (a renewal gets a new serial). */
export interface CertificateKey {
  issuer: string
  serial: string
}

export interface CertificateInput extends CertificateKey {
  subject: string
  /** The person or company name shown in the list (taken from the CN by the parser). */
  displayName: string
  /** CA short name such as "yessign" or "KICA", when known. */
  ca?: string | null
  notBefore: string | Date
  notAfter: string | Date
  policyOid?: string | null
  /** Human label of the policy, e.g. "은행·보험·카드용" or "범용". */
  purpose?: string | null
  /** SHA-256 of the certificate DER, hex. */
  fingerprintSha256: string
}

export interface CertificateRecord extends CertificateKey {
  subject: string
  displayName: string
  ca: string | null
  notBefore: string
  notAfter: string
  policyOid: string | null
  purpose: string | null
  fingerprintSha256: string
  firstSeen: string
  lastSeen: string
}

export interface CopyInput extends CertificateKey {
  medium: Medium
  /** Unique place of this copy: a DN folder path, a PFX file path, a keychain entry id, a token slot id. */
  location: string
  /** The store or scan root the copy was found under (an NPKI root, a mount point, "keychain"). */
  root: string
  /** Files present; omitted names count as absent. */
  files: Partial<CopyFiles>
  /** Private-key protection scheme as reported by the parser, e.g. "seed-cbc/pbkdf1" or "pbes2/aes-256-cbc". */
  keyScheme?: string | null
  /** SHA-256 over the copy's files (hex), to notice that a copy changed or that two copies differ. */
  contentHash?: string | null
}

export interface CopyRecord extends CertificateKey {
  medium: Medium
  location: string
  root: string
  files: CopyFiles
  keyScheme: string | null
  contentHash: string | null
  firstSeen: string
  lastSeen: string
  lastRunId: number | null
  /** Set when a finished scan of this copy's root did not find it any more; cleared when it is seen again. */
  missingSince: string | null
}

export interface CertificateWithCopies extends CertificateRecord {
  copies: CopyRecord[]
}

export interface ListQuery {
  /** Only certificates with at least one present (not missing) copy in this medium. */
  medium?: Medium
  /** Case-insensitive substring of display name, subject, issuer, CA or serial (Unicode-aware, NFC). */
  search?: string
  /** Only certificates still valid now that expire within this many days. */
  expiringWithinDays?: number
  /** true: only expired certificates; false: only not yet expired. */
  expired?: boolean
  /** Reference time for the expiry filters; defaults to the inventory clock. */
  now?: Date
  /** Paging over the sorted result (soonest expiry first), for very long lists. */
  limit?: number
  offset?: number
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export interface CacheEntry {
  path: string
  size: number
  mtimeMs: number
  parsed: JsonValue
  updatedAt: string
}

export const SCAN_STATUSES = ['running', 'finished', 'cancelled', 'failed'] as const
export type ScanStatus = (typeof SCAN_STATUSES)[number]
export type ScanEndStatus = Exclude<ScanStatus, 'running'>

export interface ScanCounts {
  foldersVisited: number
  certificatesFound: number
  problems: number
}

export interface ScanRun {
  id: number
  startedAt: string
  finishedAt: string | null
  roots: string[]
  counts: ScanCounts
  status: ScanStatus
}

export const SEVERITIES = ['info', 'warning', 'error'] as const
export type Severity = (typeof SEVERITIES)[number]

export interface FindingInput {
  /** Machine-readable kind chosen by the scanner, e.g. "missing-private-key", "expired", "duplicate-differs". */
  kind: string
  severity: Severity
  certificate?: CertificateKey | null
  location?: string | null
  /** Non-secret facts; keys that look like secrets are refused. */
  detail?: JsonObject
}

export interface Finding {
  id: number
  runId: number
  kind: string
  severity: Severity
  certificate: CertificateKey | null
  location: string | null
  detail: JsonObject
}

export const AUDIT_ACTIONS = [
  'check-password',
  'verify-vid',
  'change-password',
  'delete',
  'wipe',
  'restore',
  'copy',
  'move',
  'import',
  'export',
  'issue',
  'renew',
  'revoke',
  'transfer-out',
  'transfer-in',
  'change-pin',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]
export type AuditOutcome = 'ok' | ErrorCode

export interface AuditInput {
  action: AuditAction
  certificate?: CertificateKey | null
  locations?: string[]
  outcome: AuditOutcome
  /** Non-secret facts (counts, profile names, media); keys that look like secrets are refused. */
  detail?: JsonObject
}

export interface AuditEntry {
  id: number
  at: string
  action: AuditAction
  certificate: CertificateKey | null
  locations: string[]
  outcome: AuditOutcome
  detail: JsonObject
}

export type { CaProfile }
export interface KnownSettings {
  language: 'ko' | 'en'
  /** Days before expiry on which to notify, e.g. D-30, D-7, D-1. */
  notifyDays: number[]
  /** Extra folders for the deep scan, besides the OS NPKI roots. */
  extraRoots: string[]
  /** Scan every user profile on the machine (helpdesk use). */
  helpdeskMode: boolean
  /** CMP profiles of the CAs Dojang may issue, renew and revoke with (no secrets: endpoint, framing, CA certificate). */
  caProfiles: CaProfile[]
  /** 보안토큰: PKCS#11 module paths to use besides the ones npki_pkcs11.cnf lists. */
  tokenModules: string[]
}
export type SettingKey = keyof KnownSettings

export type NoticeCode = 'RECREATED_CORRUPT' | 'LOCKED_FALLBACK_MEMORY' | 'NEWER_SCHEMA'

/** Something that happened while opening the inventory that the user should be told about. */
export interface InventoryNotice {
  code: NoticeCode
  message: string
  /** For RECREATED_CORRUPT: where the damaged file was moved. */
  movedTo?: string
}

export interface OpenOptions {
  /** Clock for every timestamp the inventory writes; tests pass a fixed one. */
  now?: () => Date
  /** Never write to the file (e.g. a CLI listing while the app runs). */
  readonly?: boolean
  /** How long to wait for another process's lock before falling back (ms). Default 3000. */
  busyTimeoutMs?: number
}
