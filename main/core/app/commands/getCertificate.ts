/** 상세: one certificate, parsed from a present copy, with the latest scan's findings about it. */
import { DojangError } from '../../../../common/errors'
import type { CertificateKey, CertificateWithCopies, Finding } from '../../inventory'
import { loadCertBundle, type LoadedCertFolder } from '../../npki/certBundle'
import type { Core } from '../core'

export interface CertificateDetails {
  certificate: CertificateWithCopies
  loaded: LoadedCertFolder
  findings: Finding[]
}

export async function getCertificate(core: Core, key: CertificateKey): Promise<CertificateDetails> {
  const certificate = core.inventory.getCertificate(key.issuer, key.serial)
  if (!certificate) throw new DojangError('NOT_FOUND', 'This certificate is not in the inventory; scan again', { serial: key.serial })
  const copy = certificate.copies.find((x) => x.missingSince === null)
  if (!copy) throw new DojangError('NOT_FOUND', 'No copy of this certificate is present any more; scan again')
  const store = await core.stores.storeOf(copy.location, { recorded: copy })
  const loaded = loadCertBundle(await store.read(copy.location), copy.location)
  const findings = (core.inventory.latestFindings()?.findings ?? []).filter(
    (f) => f.certificate !== null && f.certificate !== undefined && f.certificate.issuer === key.issuer && f.certificate.serial === key.serial,
  )
  return { certificate, loaded, findings }
}
