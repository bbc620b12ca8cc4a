/**
 * What the renderer sees of the core's results: the contract's view types, built in one place (no secrets, plain
 * values). The IPC handler table formats every command result through these.
 */
import { certificateId } from '../../../common/certificateId'
import type { AuditEntryView, BackupView, CertificateDetail, CertificateView, CopyView, ErrorView, TrashEntryView } from '../../../common/contract'
import { isDojangError } from '../../../common/errors'
import type { BackupInfo } from '../fsx'
import type { CertificateWithCopies, CopyRecord } from '../inventory'
import { normalizeSerial } from '../inventory'
import { splitCommonName } from '../npki/certificate'
import { lookupPolicy } from '../npki/policies'
import type { TrashEntry } from '../ops/trash'
import { findingView } from '../scan/findingView'
import type { AuditLine } from './commands/auditLog'
import type { CertificateDetails } from './commands/getCertificate'

export function copyView(c: CopyRecord): CopyView {
  return { medium: c.medium, location: c.location, root: c.root, files: { ...c.files }, keyScheme: c.keyScheme, missing: c.missingSince !== null }
}

export function certificateView(c: CertificateWithCopies): CertificateView {
  return {
    id: certificateId(c.issuer, c.serial),
    name: c.displayName,
    subject: c.subject,
    issuer: c.issuer,
    ca: c.ca,
    serial: c.serial,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    policyOid: c.policyOid,
    purpose: c.purpose,
    purposeEn: c.policyOid ? (lookupPolicy(c.policyOid)?.purposeEn ?? null) : null,
    copies: c.copies.map(copyView),
  }
}

export function certificateDetailView(d: CertificateDetails): CertificateDetail {
  const base = certificateView(d.certificate)
  const cert = d.loaded.signCert
  return {
    ...base,
    caNameKo: cert.ca.nameKo,
    purposeEn: cert.policy.purposeEn,
    ownerType: cert.policy.ownerType,
    keyUsage: cert.keyUsage,
    hasVid: cert.vid !== undefined,
    fingerprintSha256: cert.sha256FingerprintHex,
    findings: d.findings.map((f) => findingView(f, base.id)),
  }
}

export function trashEntryView(e: TrashEntry): TrashEntryView {
  return {
    id: e.id,
    name: splitCommonName(e.subject?.match(/CN=([^,]+)/)?.[1] ?? e.label).displayName,
    issuer: e.issuer ?? '',
    serial: e.serial ? normalizeSerial(e.serial) : '',
    medium: e.medium,
    location: e.location,
    deletedAt: e.deletedAt,
  }
}

export function auditEntryView(e: AuditLine): AuditEntryView {
  return {
    id: e.id,
    at: e.at,
    action: e.action,
    certificateId: e.certificate ? certificateId(e.certificate.issuer, e.certificate.serial) : null,
    name: e.name,
    locations: e.locations,
    outcome: e.outcome,
  }
}

export function backupView(b: BackupInfo): BackupView {
  return { id: b.backupId, createdAt: b.createdAt, reason: b.reason, files: b.files.length, intact: b.intact }
}

export function errorView(e: unknown): ErrorView {
  if (isDojangError(e)) return { code: e.code, message: e.message, details: { ...e.details } }
  return { code: 'INTERNAL', message: 'Something went wrong inside Dojang', details: {} }
}
