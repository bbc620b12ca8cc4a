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
import type { Core } from '../core'
import { keepIssued, releaseKept, type KeptPair } from '../keptIssued'
import type { CertBundle } from '../../stores/types'
import { writeFileAtomic } from '../../fsx'

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
 * Puts a freshly issued or renewed pair on its medium without ever holding the only copy in memory alone: the pair
 * is first kept in Dojang's 보관함 (app/keptIssued.ts), then `write` runs, and the kept copy goes only after it
 * succeeded. When `write` fails, the error names where the pair is kept (and the list shows it from now on); after
 * a crash the next scan lists it with an `issued-kept` finding.
 */
export async function saveIssued<T>(core: Core, bundle: CertBundle, what: 'issued' | 'renewed', write: () => Promise<T>): Promise<T> {
  let kept: KeptPair | undefined
  let keepError: unknown
  try {
    kept = await keepIssued(core.dataDir, bundle, core.now())
  } catch (e) {
    keepError = e // the medium may still take it; said below if it does not
  }
  try {
    const out = await write()
    if (kept) await releaseKept(kept)
    return out
  } catch (e) {
    const code = isDojangError(e) ? e.code : 'IO_ERROR'
    if (kept) {
      await core.records.refresh(kept.store, kept.ref.location)
      core.inventoryChanged()
      const where = what === 'issued' ? 'the chosen medium' : 'this copy'
      throw new DojangError(code, `The ${what} certificate could not be written to ${where}; Dojang keeps it in ${kept.ref.location}. Copy it to your NPKI folder, a USB drive or the keychain.`, { rescuedTo: kept.ref.location, hint: 'issued-kept' }, { cause: e })
    }
    throw new DojangError(code, `The ${what} certificate could not be written anywhere (not even to Dojang's data folder: ${isDojangError(keepError) ? keepError.message : String(keepError)}). Free some disk space and ask your CA whether it can be issued again.`, { hint: 'issued-lost' }, { cause: e })
  }
}

/** An audit entry the command completes as it learns which certificate and copies it touched. */
export type OpenAuditEntry = Omit<AuditInput, 'outcome'> & { locations: string[] }

/**
 * The CA confirmed a certificate for the key on the token, but the token did not take it: keep the certificate in
 * the data folder (`issued/token-<time>/signCert.der`; not a 보관함 root, since its key is on the token).
 */
export async function keepUnstored(dataDir: string, now: Date, certDer: Uint8Array, cause: unknown): Promise<never> {
  const kept = path.join(dataDir, 'issued', `token-${now.toISOString().replace(/[:.]/g, '-')}`)
  await mkdir(kept, { recursive: true, mode: 0o700 })
  await writeFileAtomic(path.join(kept, 'signCert.der'), certDer, { mode: 0o600 })
  const code = isDojangError(cause) ? cause.code : 'IO_ERROR'
  throw new DojangError(code, `The certificate was issued for the key on the security token but could not be stored on the token; it is kept in ${kept}. The key stays on the token.`, { rescuedTo: kept, hint: 'issued-kept' }, { cause })
}
