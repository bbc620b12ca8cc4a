/**
 * The single IPC contract between the renderer and the main process. Main registers exactly these methods
 * (main/ipc.ts), the preload exposes exactly these (preload/index.ts), and the Chromium test transport is built
 * from the same list. Requests are validated in main with these schemas; responses are typed here.
 * No Node, no DOM: imported by all three processes.
 */
import { z } from 'zod'
import type { ErrorCode } from './errors'
import type { FindingCode, FindingParams } from './findingCodes'
import { METHOD_NAMES, type MethodName } from './methods'

export { METHOD_NAMES, channelOf, EVENT_CHANNEL, type MethodName } from './methods'

import { MEDIA, type Medium } from './domain'

export { MEDIA, type MediaTarget, type Medium } from './domain'

// ---- view types (what the renderer sees; never secrets) ----

export interface CopyView {
  medium: Medium
  location: string
  root: string
  /** Which of the NPKI files are present. */
  files: { signCert: boolean; signPri: boolean; kmCert: boolean; kmPri: boolean; pfx: boolean }
  keyScheme: string | null
  missing: boolean
}

export interface CertificateView {
  /** Stable id: issuer DN + serial, encoded for URLs and IPC. */
  id: string
  name: string
  subject: string
  issuer: string
  ca: string | null
  serial: string
  notBefore: string
  notAfter: string
  policyOid: string | null
  purpose: string | null
  /** The purpose in English, from the policy table (null when the policy is unknown). */
  purposeEn: string | null
  copies: CopyView[]
}

export interface CertificateDetail extends CertificateView {
  caNameKo: string
  purposeEn: string
  ownerType: string
  keyUsage: string[]
  hasVid: boolean
  fingerprintSha256: string
  /** Non-secret notes from the latest scan about this certificate (kinds of finding). */
  findings: FindingView[]
}

export interface FindingView {
  kind: string
  /** What the renderer words in the chosen language, with `params` (common/findingCodes.ts). */
  code: FindingCode
  params: FindingParams
  severity: 'info' | 'warning' | 'error' | 'critical'
  certificateId: string | null
  locations: string[]
  /** English, for logs; never shown on a screen. */
  message: string
}

/** The kinds of long work that report progress the same way (see OperationView). */
/**
 * 휴대폰으로 복사, what the phone gets: the NPKI files as they are; those plus a .p12 under the certificate's own
 * password; or only a .p12 under a random transfer password shown on the PC (docs/qr-transfer.md).
 */
export const SHARE_FORMATS = ['npki', 'both', 'p12'] as const
export type ShareFormat = (typeof SHARE_FORMATS)[number]

export const OPERATION_KINDS = ['scan', 'change-password', 'issue', 'renew', 'revoke', 'share', 'receive'] as const
export type OperationKind = (typeof OPERATION_KINDS)[number]

/**
 * One long operation as the renderer sees it: every progress report and the final state arrive as an `operation`
 * event with this shape, and `cancelOperation` stops it by id.
 */
export interface OperationView {
  id: number
  kind: OperationKind
  state: 'running' | 'finished' | 'failed' | 'cancelled'
  /** A stable step id the renderer translates ('walk', 'copy', 'contact-ca', …). */
  step: string
  done?: number
  total?: number
  /** Non-secret facts of the step (for a scan: foldersVisited, certificatesFound, problems). */
  detail: Record<string, string | number | boolean>
  error?: ErrorView
}

export interface TrashEntryView {
  id: string
  /** The holder's display name (홍길동, not the CN with its number). */
  name: string
  issuer: string
  serial: string
  medium: Medium
  location: string
  deletedAt: string
}

export interface AuditEntryView {
  id: number
  at: string
  action: string
  certificateId: string | null
  /** The holder's name, also for certificates no longer on any medium. */
  name: string | null
  locations: string[]
  outcome: string
}

/** One set of files an operation replaced (a password change, an overwrite), kept until the user empties it. */
export interface BackupView {
  id: string
  createdAt: string
  reason: string
  files: number
  intact: boolean
}

export interface SettingsView {
  language: 'ko' | 'en'
  notifyDays: number[]
  extraRoots: string[]
  helpdeskMode: boolean
}

/** A CA profile for issue / renew / revoke (CMP), as the page lists it. */
export interface CaProfileView {
  name: string
  transport: 'http' | 'tcp'
  /** http(s)://… or "tcp HOST:PORT (framing)". */
  endpoint: string
  /** Subject of the CA certificate the profile trusts. */
  caSubject: string
  caNotAfter: string
}

/** A certificate the CA just issued or renewed: what the person is shown before and after it is stored. */
export interface IssuedCertificateView {
  subject: string
  displayName: string
  issuer: string
  serial: string
  notBefore: string
  notAfter: string
  policyOid: string | null
  purposeKo: string
  purposeEn: string
}

/** CRL reason names a revocation may give (RFC 5280). */
export const REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation'] as const

export interface MediumInfo {
  medium: Medium
  root: string
  label: string
  available: boolean
  /** 보안토큰 only: what the token reports (label, slot, PIN retry state). */
  token?: TokenMediumInfo
}

/** One PKCS#11 module (보안토큰 구동프로그램) and its tokens, for the 보안토큰 tab. */
export interface TokenModuleEntry {
  module: string
  manufacturer?: string
  description?: string
  error?: { code: string; message: string }
  tokens: {
    id: string
    label: string
    serial: string
    slotId: string
    slotDescription: string
    manufacturer: string
    model: string
    initialized: boolean
    pinState: TokenMediumInfo['pinState']
    writeProtected: boolean
    certificates: { location: string; objectLabel: string; idHex: string; hasKey?: boolean; hasKmPair: boolean }[]
    /** With the PIN: private keys on the token that no certificate belongs to. */
    keysWithoutCertificate?: number
    error?: { code: string; message: string }
  }[]
}

export interface TokenMediumInfo {
  label: string
  serial: string
  slotId: string
  slotDescription: string
  pinState: 'ok' | 'count-low' | 'final-try' | 'locked' | 'to-be-changed'
  writeProtected: boolean
}

// ---- results ----

export interface ErrorView {
  code: ErrorCode
  message: string
  details: Record<string, string | number | boolean>
}

/** Electron's invoke() drops error classes and fields, so every method resolves to a result value instead. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorView }

// ---- request schemas ----

const location = z.string().min(1).max(4096)
const password = z.string().min(1).max(256)
/** A security token PIN (보안토큰 비밀번호): crosses IPC once per call, like a password. */
const pin = z.string().min(1).max(256)
const certificateId = z.string().min(1).max(8192)
const mediaTarget = z.object({ medium: z.enum(MEDIA), root: z.string().min(1).max(4096).optional() }).strict()
const empty = z.object({}).strict()

export const requestSchemas = {
  listCertificates: z
    .object({
      medium: z.enum(MEDIA).optional(),
      search: z.string().max(200).optional(),
      expiringWithinDays: z.number().int().min(0).max(3650).optional(),
      expired: z.boolean().optional(),
    })
    .strict(),
  getCertificate: z.object({ id: certificateId }).strict(),
  listMedia: empty,
  /** The page cannot name folders to scan: the scan covers the media Dojang knows and the saved extra folders. */
  startScan: empty,
  cancelOperation: z.object({ operationId: z.number().int().nonnegative() }).strict(),
  checkPassword: z.object({ location, password }).strict(),
  changePassword: z
    .object({ locations: z.array(location).min(1).max(64), oldPassword: password, newPassword: password, allowWeak: z.boolean().optional() })
    .strict(),
  verifyVid: z.object({ location, password, idn: z.string().min(10).max(20) }).strict(),
  deleteCopy: z.object({ location }).strict(),
  listTrash: empty,
  restoreFromTrash: z.object({ id: z.string().min(1).max(200), overwrite: z.boolean().optional() }).strict(),
  emptyTrash: z.object({ olderThanDays: z.number().int().min(0).max(36500).optional() }).strict(),
  copyCertificate: z
    .object({
      location,
      to: mediaTarget,
      move: z.boolean().optional(),
      overwrite: z.boolean().optional(),
      /** Only when the destination is a 보안토큰: its PIN and the certificate password that opens the key. */
      pin: pin.optional(),
      password: password.optional(),
    })
    .strict(),
  exportPfx: z.object({ location, password, pfxPassword: password, profile: z.enum(['bank', 'modern']), includeKm: z.boolean().optional(), allowWeak: z.boolean().optional() }).strict(),
  importPfx: z
    .object({
      /** The bytes of a dropped file; without them main asks with its own file dialog (the page never names paths). */
      bytes: z.instanceof(Uint8Array).refine((b) => b.length <= 1 << 20, 'PFX files are small').optional(),
      pfxPassword: password,
      /** Not used when the destination is a 보안토큰 (the key is then kept under the token PIN). */
      newPassword: password.optional(),
      to: mediaTarget,
      pin: pin.optional(),
      allowWeak: z.boolean().optional(),
      overwrite: z.boolean().optional(),
    })
    .strict(),
  getSettings: empty,
  setSettings: z
    .object({
      language: z.enum(['ko', 'en']).optional(),
      notifyDays: z.array(z.number().int().min(0).max(365)).max(10).optional(),
      extraRoots: z.array(z.string().min(1).max(4096)).max(64).optional(),
      helpdeskMode: z.boolean().optional(),
    })
    .strict(),
  /** Main asks with its own folder dialog; the page never names the folder. */
  addExtraRoot: empty,
  auditLog: z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(),
  exportCalendar: empty,
  listBackups: empty,
  /** With the PIN, each certificate says whether its key is on the token. */
  listTokens: z.object({ pin: pin.optional() }).strict(),
  changeTokenPin: z.object({ token: z.string().min(1).max(512), oldPin: pin, newPin: pin }).strict(),
  /** `permanent: true` is the person's confirmation that the key is deleted for good (no trash for a token's key). */
  deleteTokenCopy: z.object({ location, pin, permanent: z.literal(true) }).strict(),
  emptyBackups: z.object({ olderThanDays: z.number().int().min(0).max(36500).optional() }).strict(),
  listNetworks: empty,
  /** 휴대폰으로 복사: listed copies only; bindHost must be one of listNetworks (main checks). */
  /** `passwords` (one per location) only for the .p12 formats: they cross once, to build the PFX in main. */
  startShare: z
    .object({ locations: z.array(location).min(1).max(64), bindHost: z.string().min(1).max(64).optional(), format: z.enum(SHARE_FORMATS).optional(), passwords: z.array(password).max(64).optional() })
    .strict(),
  /** Confirm/decline the phone that claimed a share or receive session (after the 'claimed' step). */
  confirmShare: z.object({ operationId: z.number().int().nonnegative() }).strict(),
  rejectShare: z.object({ operationId: z.number().int().nonnegative() }).strict(),
  startReceive: z.object({ bindHost: z.string().min(1).max(64).optional() }).strict(),
  /** After the 'file-arrived' step: where the phone's file goes, its password and the new one. */
  importReceived: z
    .object({ operationId: z.number().int().nonnegative(), to: mediaTarget, password, newPassword: password, allowWeak: z.boolean().optional(), overwrite: z.boolean().optional() })
    .strict(),
  listCaProfiles: empty,
  /** To a 보안토큰: `pin` instead of `newPassword` (the key pair is generated on the token and never leaves it). */
  issueCertificate: z
    .object({ ca: z.string().min(1).max(64), referenceNumber: z.string().min(1).max(128), authCode: password, newPassword: password.optional(), to: mediaTarget, pin: pin.optional() })
    .strict(),
  /** A copy on a 보안토큰: `pin` instead of `password` (the old key signs on the token, the new key is made there). */
  renewCertificate: z
    .object({ location, ca: z.string().min(1).max(64), password: password.optional(), force: z.boolean().optional(), alsoUpdate: z.array(location).max(64).optional(), pin: pin.optional() })
    .strict(),
  revokeCertificate: z
    .object({
      location,
      ca: z.string().min(1).max(64),
      reason: z.enum(REVOCATION_REASONS),
      password: password.optional(),
      codes: z.object({ referenceNumber: z.string().min(1).max(128), authCode: password }).strict().optional(),
      /** A copy on a 보안토큰: its PIN instead of a password (the key signs on the token). */
      pin: pin.optional(),
    })
    .strict(),
} as const

// Compile-time check: the schemas name exactly the methods of common/methods.ts.
type SchemaNames = keyof typeof requestSchemas
const _sameNames: [SchemaNames] extends [MethodName] ? ([MethodName] extends [SchemaNames] ? true : never) : never = true
void _sameNames
void METHOD_NAMES

export type RequestOf<M extends MethodName> = z.input<(typeof requestSchemas)[M]>

export interface ResponseMap {
  listCertificates: CertificateView[]
  getCertificate: CertificateDetail
  listMedia: MediumInfo[]
  listTokens: TokenModuleEntry[]
  changeTokenPin: { token: string; pinState: TokenMediumInfo['pinState'] }
  /** A token's key cannot go to Dojang's trash: this delete is for good. */
  deleteTokenCopy: { location: string; permanent: true }
  startScan: { operationId: number }
  cancelOperation: { cancelled: boolean }
  checkPassword: { ok: true; hasKmPair: boolean; hasRandomNum: boolean }
  /**
   * Each copy changes all-or-nothing on its own; copies with another password are reported in `failed`.
   * `location` is where the copy is now (a keychain copy gets a new id).
   */
  changePassword: { changed: { location: string; backupId: string }[]; failed: { location: string; error: ErrorView }[] }
  verifyVid: { match: boolean }
  deleteCopy: { trashId: string }
  listTrash: TrashEntryView[]
  restoreFromTrash: { location: string }
  emptyTrash: { removed: number }
  copyCertificate: { location: string }
  /** null when the person cancelled the save dialog. */
  exportPfx: { path: string } | null
  importPfx: { location: string; warnings: string[] }
  getSettings: SettingsView
  setSettings: SettingsView
  /** null when the person cancelled the folder dialog. */
  addExtraRoot: SettingsView | null
  auditLog: AuditEntryView[]
  exportCalendar: { path: string } | null
  listBackups: BackupView[]
  emptyBackups: { removed: number }
  listNetworks: NetworkView[]
  startShare: PhoneSessionView
  confirmShare: { confirmed: boolean }
  rejectShare: { rejected: boolean }
  startReceive: PhoneSessionView
  importReceived: { locations: string[]; warnings: string[] }
  listCaProfiles: CaProfileView[]
  /** `keyOnToken`: issued onto a 보안토큰, its key generated there. */
  issueCertificate: { location: string; certificate: IssuedCertificateView; keyOnToken?: boolean }
  /**
   * The named copy first in `renewed`; other copies with another password are in `failed` and keep their old pair.
   * A copy on a 보안토큰: `renewed` is empty and `onToken` names the new copy and the old one, which stays on the token.
   */
  renewCertificate: {
    certificate: IssuedCertificateView
    renewed: { location: string; backupId: string }[]
    failed: { location: string; error: ErrorView }[]
    warnings: string[]
    onToken?: { location: string; previous: string }
  }
  /** Every local copy of the revoked certificate goes to Dojang's trash. */
  /** `left`: copies on a 보안토큰, which has no trash; they stay until deleted there. */
  revokeCertificate: { trashed: { trashId: string; location: string }[]; failed: { location: string; error: ErrorView }[]; left: string[] }
}

/** One address a phone session can listen on (휴대폰으로 복사 → 네트워크). */
export interface NetworkView {
  interface: string
  address: string
  private: boolean
}

/**
 * A running QR session as the page sees it. The QR image is the only form in which the session URL (and its key)
 * reaches the page: it comes once, in this response, never in events or storage.
 */
export interface PhoneSessionView {
  operationId: number
  qrDataUrl: string
  expiresAt: number
  /** `host:port` the session listens on. */
  address: string
  /** Format 'p12': the password that opens the phone's .p12, shown on this screen only (never stored). */
  transferPassword?: string
}

export type ResponseOf<M extends MethodName> = ResponseMap[M]

// ---- events (main → renderer, one subscription channel) ----

export type DojangEvent =
  | { type: 'operation'; operation: OperationView }
  | { type: 'mediaChanged'; media: MediumInfo[] }
  | { type: 'inventoryChanged' }
  | { type: 'expiryReminder'; certificateId: string; name: string; daysLeft: number }

/** What window.dojang looks like in the renderer (the preload builds it; tests build the same from a transport). */
export type DojangApi = {
  [M in MethodName]: (request: RequestOf<M>) => Promise<Result<ResponseOf<M>>>
} & {
  /** Subscribes to main's events; returns the unsubscribe function. */
  subscribe(listener: (event: DojangEvent) => void): () => void
}
