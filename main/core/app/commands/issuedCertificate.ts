/**
 * What issue and renew share after the CA has answered: the certificate as people see it, and the safety net for
 * the one moment a certificate could be lost (the CA has confirmed it, the chosen medium refused the write).
 */
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { IssuedCertificateView } from '../../../../common/contract'
import { DojangError, isDojangError } from '../../../../common/errors'
import type { AuditInput } from '../../inventory'
import type { CertificateInfo } from '../../npki/certificate'
import { writeFileAtomic } from '../../fsx'
import type { CertBundle } from '../../stores/types'

export type { IssuedCertificateView }

export function issuedView(c: CertificateInfo): IssuedCertificateView {
  return {
    subject: c.subject,
    displayName: c.displayName,
    issuer: c.issuer,
    serial: c.serialNumberHex,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    policyOid: c.policy.oid ?? null,
    purposeKo: c.policy.purposeKo,
    purposeEn: c.policy.purposeEn,
  }
}

/**
 * Keeps a freshly issued pair in Dojang's data folder (issued/<time>/) when its medium could not take it: the
 * 인가코드 is used up, so this copy is the only one. The key file is encrypted with the user's password.
 */
export async function rescueIssued(dataDir: string, bundle: CertBundle, now: Date): Promise<string> {
  const dir = path.join(dataDir, 'issued', now.toISOString().replace(/[:.]/g, '-'))
  await mkdir(dir, { recursive: true, mode: 0o700 })
  for (const f of bundle.files) await writeFileAtomic(path.join(dir, f.name), f.data, { mode: 0o600 })
  return dir
}

/** An audit entry the command completes as it learns which certificate and copies it touched. */
export type OpenAuditEntry = Omit<AuditInput, 'outcome'> & { locations: string[] }

/** The CA confirmed a certificate for the key on the token, but the token did not take it: keep it in the data folder. */
export async function keepUnstored(dataDir: string, now: Date, certDer: Uint8Array, cause: unknown): Promise<never> {
  const kept = await rescueIssued(dataDir, { files: [{ name: 'signCert.der', data: certDer }] }, now)
  const code = isDojangError(cause) ? cause.code : 'IO_ERROR'
  throw new DojangError(code, `The certificate was issued for the key on the security token but could not be stored on the token; it is kept in ${kept}. The key stays on the token.`, { rescuedTo: kept, hint: 'issued-kept' }, { cause })
}
