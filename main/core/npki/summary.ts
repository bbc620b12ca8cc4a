/** A JSON-friendly view of a certificate for the CLI, reports and (later) the IPC contract. No secrets. */
import { daysUntilExpiry, expiryState, type CertificateInfo } from './certificate'

export interface CertificateSummary {
  name: string
  commonName: string
  subject: string
  issuer: string
  ca: string
  caNameKo: string
  serial: string
  notBefore: string
  notAfter: string
  daysLeft: number
  state: 'valid' | 'expiring' | 'expired' | 'notYetValid'
  purposeKo: string
  purposeEn: string
  ownerType: string
  policyOid: string | null
  keyUsage: string[]
  hasVid: boolean
  fingerprintSha256: string
}

export function summarizeCertificate(cert: CertificateInfo, now: Date = new Date()): CertificateSummary {
  return {
    name: cert.displayName,
    commonName: cert.commonName,
    subject: cert.subject,
    issuer: cert.issuer,
    ca: cert.ca.id,
    caNameKo: cert.ca.nameKo,
    serial: cert.serialNumberHex,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    daysLeft: daysUntilExpiry(cert, now),
    state: expiryState(cert, now),
    purposeKo: cert.policy.purposeKo,
    purposeEn: cert.policy.purposeEn,
    ownerType: cert.policy.ownerType,
    policyOid: cert.policy.oid ?? null,
    keyUsage: cert.keyUsage,
    hasVid: cert.vid !== undefined,
    fingerprintSha256: cert.sha256FingerprintHex,
  }
}

/** "D-12", "D-day", "D+3": one rule in common/domain. */
export { dDay } from '../../../common/domain'
