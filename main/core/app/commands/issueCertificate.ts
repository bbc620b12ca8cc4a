/**
 * 발급: a new certificate from the CA over CMP (ir protected with the 참조번호 / 인가코드), its key pair made here,
 * stored as an NPKI pair under the user's new password on the medium they chose. The certificate is checked
 * (chains to the profile's CA, carries our public key) before the CA hears "accepted" and before anything is
 * written; if the medium then refuses the write, the pair is kept in Dojang's data folder instead of being lost.
 */
import { DojangError } from '../../../../common/errors'
import { issueCertificate as cmpIssue, profileEndpoint, type IssuanceDeps } from '../../issuance'
import type { CopyRef } from '../../stores/types'
import type { Core } from '../core'
import { caProfileNamed } from './caProfiles'
import { resolveDestination, type CopyInput } from './copyCertificate'
import { issuedView, saveIssued, type IssuedCertificateView, type OpenAuditEntry } from './issuedCertificate'

export interface IssueInput {
  /** CA profile name (settings). */
  ca: string
  /** 참조번호 */
  referenceNumber: string
  /** 인가코드: secret, used once. */
  authCode: string
  /** Password for the new signPri.key; the KISA rules always apply to a new certificate. */
  newPassword: string
  /** A medium the page offered, or a CLI destination. */
  to: CopyInput['to']
  /** Test seam (in-process tests only; no front end passes it). */
  deps?: IssuanceDeps
}

export interface IssueOutput {
  ref: CopyRef
  certificate: IssuedCertificateView
  note?: string
}

export async function issueCertificate(core: Core, input: IssueInput): Promise<IssueOutput> {
  const profile = caProfileNamed(core, input.ca)
  // The destination is settled before the CA is asked: the 인가코드 is good for one certificate only.
  const { store, note } = await resolveDestination(core, input.to)
  if (!store.capabilities.write || !store.capabilities.readKeys) {
    throw new DojangError('INVALID_INPUT', 'A new certificate cannot be written to this medium; choose a disk, a USB drive or 키체인.', { medium: store.medium })
  }
  const entry: OpenAuditEntry = { action: 'issue', certificate: null, locations: [], detail: { ca: profile.name, endpoint: profileEndpoint(profile), medium: store.medium } }
  const out = await core.operations.run('issue', (ctx) =>
    core.audited(entry, async () => {
      const issued = await cmpIssue({ profile, referenceNumber: input.referenceNumber, authCode: input.authCode, newPassword: input.newPassword, ctx, deps: input.deps })
      entry.certificate = { issuer: issued.certificate.issuer, serial: issued.certificate.serialNumberHex }
      ctx.progress?.({ step: 'save', detail: { medium: store.medium } })
      // A copy of the same person's previous certificate is there under the same folder name: it goes to the
      // backups (restorable), the new one takes its place.
      const ref: CopyRef = await saveIssued(core, issued.bundle, 'issued', () => store.write(issued.bundle, { dataDir: core.dataDir, overwrite: true }))
      entry.locations.push(ref.location)
      await core.records.refresh(store, ref.location)
      return { ref, certificate: issuedView(issued.certificate) }
    }),
  )
  core.inventoryChanged()
  return note ? { ...out, note } : out
}
