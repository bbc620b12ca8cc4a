/**
 * 발급: a new certificate from the CA over CMP (ir protected with the 참조번호 / 인가코드), its key pair made here,
 * stored as an NPKI pair under the user's new password on the medium they chose. The certificate is checked
 * (chains to the profile's CA, carries our public key) before the CA hears "accepted" and before anything is
 * written; if the medium then refuses the write, the pair is kept in Dojang's data folder instead of being lost.
 * Onto a 보안토큰 the key pair is generated on the token instead (issueOntoToken) and no key file exists.
 */
import { DojangError } from '../../../../common/errors'
import { issueCertificate as cmpIssue, issueOnKey, profileEndpoint, type CaProfile, type IssuanceDeps } from '../../issuance'
import { enrolWithTokenKey, listedTokenLocation, pinStore, requirePin } from '../../ops/token'
import type { TokenStore } from '../../stores/token'
import type { CopyRef } from '../../stores/types'
import type { Core } from '../core'
import { caProfileNamed } from './caProfiles'
import { resolveDestination, type CopyInput } from './copyCertificate'
import { issuedKeeper, issuedView, type IssuedCertificateView, type OpenAuditEntry } from './issuedCertificate'

export interface IssueInput {
  /** CA profile name (settings). */
  ca: string
  /** 참조번호 */
  referenceNumber: string
  /** 인가코드: secret, used once. */
  authCode: string
  /** Password for the new signPri.key; the KISA rules always apply to a new certificate. Not used for a 보안토큰. */
  newPassword?: string
  /** A medium the page offered, or a CLI destination. */
  to: CopyInput['to']
  /** Only when `to` is a 보안토큰: its PIN. The key pair is then generated on the token and never leaves it. */
  pin?: string
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
  if (store.capabilities.secret === 'pin') {
    const out = await issueOntoToken(core, input, profile, pinStore(store), requirePin(input.pin))
    core.inventoryChanged()
    return note ? { ...out, note: `${out.note} ${note}` } : out
  }
  if (!store.capabilities.write || !store.capabilities.readKeys) {
    throw new DojangError('INVALID_INPUT', 'A new certificate cannot be written to this medium; choose a disk, a USB drive or 키체인.', { medium: store.medium })
  }
  if (typeof input.newPassword !== 'string' || input.newPassword === '') {
    throw new DojangError('INVALID_INPUT', 'A new certificate on this medium needs the password its key file will have.', { field: 'newPassword' })
  }
  const newPassword = input.newPassword
  const entry: OpenAuditEntry = { action: 'issue', certificate: null, locations: [], detail: { ca: profile.name, endpoint: profileEndpoint(profile), medium: store.medium } }
  const out = await core.operations.run('issue', (ctx) =>
    core.audited(entry, async () => {
      const keeper = issuedKeeper(core, 'issued')
      const issued = await keeper.during(cmpIssue({ profile, referenceNumber: input.referenceNumber, authCode: input.authCode, newPassword, keep: keeper.keep, ctx, deps: input.deps }))
      entry.certificate = { issuer: issued.certificate.issuer, serial: issued.certificate.serialNumberHex }
      ctx.progress?.({ step: 'save', detail: { medium: store.medium } })
      // A copy of the same person's previous certificate is there under the same folder name: it goes to the
      // backups (restorable), the new one takes its place.
      const ref: CopyRef = await keeper.save(() => store.write(issued.bundle, { dataDir: core.dataDir, overwrite: true }))
      entry.locations.push(ref.location)
      await core.records.refresh(store, ref.location)
      return { ref, certificate: issuedView(issued.certificate) }
    }),
  )
  core.inventoryChanged()
  return note ? { ...out, note } : out
}

/**
 * 발급 onto a 보안토큰: log in (a wrong PIN changes nothing and never reaches the CA), let the token generate the key
 * pair when the engine asks (C_GenerateKeyPair), have the token sign the proof of possession, and store the
 * confirmed certificate next to its key. No key file exists anywhere; if no certificate comes of it the generated
 * pair is removed from the token again.
 */
async function issueOntoToken(core: Core, input: IssueInput, profile: CaProfile, token: TokenStore, pin: string): Promise<IssueOutput & { note: string }> {
  const entry: OpenAuditEntry = { action: 'issue', certificate: null, locations: [], detail: { ca: profile.name, endpoint: profileEndpoint(profile), medium: token.medium, keyOnToken: true } }
  const out = await core.operations.run('issue', (ctx) =>
    core.audited(entry, async () => {
      const session = await token.login(pin)
      try {
        const { issued, stored } = await enrolWithTokenKey(
          session,
          (newKey, beforeConfirm) => issueOnKey({ profile, referenceNumber: input.referenceNumber, authCode: input.authCode, newKey, beforeConfirm, ctx, deps: input.deps }),
        )
        entry.certificate = { issuer: issued.certificate.issuer, serial: issued.certificate.serialNumberHex }
        ctx.progress?.({ step: 'save', detail: { medium: token.medium } })
        const location = await listedTokenLocation(token, stored.idHex, issued.certDer)
        entry.locations.push(location)
        await core.records.refresh(token, location)
        const ref: CopyRef = { medium: token.medium, storeId: token.id, location, label: token.label }
        return { ref, certificate: issuedView(issued.certificate) }
      } finally {
        session.close()
      }
    }),
  )
  return { ...out, note: 'The key pair was generated on the security token and never leaves it; this certificate cannot be copied to another medium.' }
}
