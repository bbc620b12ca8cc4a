/**
 * What issue and renew share after the CA has answered: the certificate as people see it, and the safety net for
 * the one moment a certificate could be lost (the CA has confirmed it, the chosen medium refused the write).
 */
import type { IssuedCertificateView } from '../../../../common/contract'
import { DojangError, isDojangError } from '../../../../common/errors'
import type { AuditInput } from '../../inventory'
import type { CertificateInfo } from '../../npki/certificate'
import type { Core } from '../core'
import { keepIssued, releaseKept, type KeptPair } from '../keptIssued'
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
 * The 보관함 side of issue and renew, in three steps around the CA exchange:
 *
 *   const keeper = issuedKeeper(core, 'issued')
 *   const issued = await keeper.during(cmpIssue({ …, keep: keeper.keep }))   // kept before the CA hears "accepted"
 *   const ref = await keeper.save(() => store.write(issued.bundle, …))          // then onto its medium
 *
 * The pair is never confirmed while it exists only in memory: `keep` writes it to Dojang's data folder first (if
 * that fails, the CA is told the certificate is not accepted). The kept copy goes only after the medium took the
 * pair. Whenever something fails after `keep`, the error names where the pair is kept, the list shows it at once,
 * and after a crash the next scan lists it with an `issued-kept` finding.
 */
export function issuedKeeper(core: Core, what: 'issued' | 'renewed') {
  let kept: KeptPair | undefined
  const keptError = async (e: unknown, where: string): Promise<never> => {
    const k = kept!
    await core.records.refresh(k.store, k.ref.location)
    core.inventoryChanged()
    const code = isDojangError(e) ? e.code : 'IO_ERROR'
    throw new DojangError(code, `The ${what} certificate ${where}; Dojang keeps it in ${k.ref.location}. Copy it to your NPKI folder, a USB drive or the keychain.`, { rescuedTo: k.ref.location, hint: 'issued-kept' }, { cause: e })
  }
  return {
    keep: async (bundle: CertBundle): Promise<void> => {
      try {
        kept = await keepIssued(core.dataDir, bundle, core.now())
      } catch (e) {
        const code = isDojangError(e) ? e.code : 'IO_ERROR'
        throw new DojangError(code, `Dojang could not save the ${what} certificate in its data folder (${isDojangError(e) ? e.message : String(e)}), so it told the certificate authority it does not accept it. Free some disk space and try again; ask your bank if the codes no longer work.`, { hint: 'issued-not-kept' }, { cause: e })
      }
    },
    /** The CA exchange: a failure after the pair was kept (the confirmation did not go through) names the kept copy. */
    during: async <T>(exchange: Promise<T>): Promise<T> => {
      try {
        return await exchange
      } catch (e) {
        if (kept) return keptError(e, 'may not have been confirmed by the certificate authority')
        throw e
      }
    },
    save: async <T>(write: () => Promise<T>): Promise<T> => {
      if (!kept) throw new DojangError('INTERNAL', 'The new pair was not kept before it was confirmed.')
      try {
        const out = await write()
        await releaseKept(kept)
        return out
      } catch (e) {
        return keptError(e, `could not be written to ${what === 'issued' ? 'the chosen medium' : 'this copy'}`)
      }
    },
  }
}

/** An audit entry the command completes as it learns which certificate and copies it touched. */
export type OpenAuditEntry = Omit<AuditInput, 'outcome'> & { locations: string[] }
