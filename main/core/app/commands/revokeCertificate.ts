/**
 * 폐지: asks the CA to revoke a certificate (rr signed with its key, or protected with fresh 참조번호 / 인가코드
 * when the key or its password is lost), then moves every local copy Dojang knows of to its trash (restorable,
 * though a revoked certificate is of no use any more). Nothing is moved unless the CA accepted.
 */
import { X509Certificate } from 'node:crypto'
import { DojangError, isDojangError } from '../../../../common/errors'
import { CRL_REASONS, profileEndpoint, revokeCertificate as cmpRevoke, type CrlReason, type IssuanceDeps, type RevokeAuth } from '../../issuance'
import { decryptPrivateKeyAsync } from '../../npki/keyCrypto'
import { pinStore, requirePin, tokenKeyHolder } from '../../ops/token'
import { moveToTrash, type TrashEntry } from '../../ops/trash'
import { requireTokenLocation, type TokenSession } from '../../stores/token'
import { foldName, signCertOf } from '../../stores/bundle'
import type { Core } from '../core'
import { lookupCopy, passwordAttempt } from '../lookup'
import { caProfileNamed } from './caProfiles'
import type { OpenAuditEntry } from './issuedCertificate'

export interface RevokeInput {
  location: string
  ca: string
  /** CRL reason name (keyCompromise, superseded, cessationOfOperation, …). */
  reason: CrlReason
  /** The certificate password (the key signs the request)… */
  password?: string
  /** …or fresh codes from the bank or CA when the key or password is lost… */
  codes?: { referenceNumber: string; authCode: string }
  /** …or, for a copy on a 보안토큰, its PIN (the key signs on the token). */
  pin?: string
  deps?: IssuanceDeps
}

export interface RevokeOutput {
  status: number
  trashed: TrashEntry[]
  failed: { location: string; error: DojangError }[]
  /** Copies on a 보안토큰: they have no trash, so they stay until the person deletes them there (for good). */
  left: string[]
}

export const REVOKE_REASONS = Object.keys(CRL_REASONS) as CrlReason[]

export async function revokeCertificate(core: Core, input: RevokeInput): Promise<RevokeOutput> {
  const profile = caProfileNamed(core, input.ca)
  if (!REVOKE_REASONS.includes(input.reason)) {
    throw new DojangError('INVALID_INPUT', `Unknown revocation reason; use one of ${REVOKE_REASONS.join(', ')}`, { field: 'reason' })
  }
  if ([input.password, input.codes, input.pin].filter((x) => x !== undefined).length !== 1) {
    throw new DojangError('INVALID_INPUT', 'Give the certificate password (or the token PIN), or the reference number and authorization code: one of them', { field: 'password' })
  }
  const target = await lookupCopy(core, input.location)
  const onToken = target.store.capabilities.secret === 'pin'
  if (input.pin !== undefined && !onToken) throw new DojangError('INVALID_INPUT', 'A PIN is for a copy on a security token; this copy opens with its certificate password.', { field: 'pin' })
  if (input.password !== undefined && onToken) throw new DojangError('INVALID_INPUT', 'The key on a security token signs with the token PIN, not a certificate password.', { field: 'password', medium: target.store.medium })
  const bundle = await target.store.read(target.location)
  const certDer = signCertOf(bundle.files).data

  const entry: OpenAuditEntry = { action: 'revoke', certificate: target.certificate, locations: [], detail: { ca: profile.name, endpoint: profileEndpoint(profile), reason: input.reason, auth: input.codes ? 'codes' : input.pin !== undefined ? 'token-key' : 'key' } }
  const out = await core.operations.run('revoke', (ctx) =>
    core.audited(entry, async () => {
      let auth: RevokeAuth
      let session: TokenSession | undefined
      if (input.pin !== undefined) {
        const token = pinStore(target.store)
        const { ref } = requireTokenLocation(target.location, token.serial)
        session = await token.login(requirePin(input.pin))
        const listed = (await token.list({ session })).find((c) => c.location === target.location)
        if (!listed?.hasKey) {
          session.close()
          throw new DojangError('NOT_FOUND', 'The token holds this certificate but not its private key; revoke with a reference number and authorization code.', { reason: 'token-key-missing' })
        }
        const spki = new Uint8Array(new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' }))
        auth = { kind: 'holder', key: tokenKeyHolder(session, ref, spki) }
      } else if (input.password !== undefined) {
        const key = bundle.files.find((f) => foldName(f.name) === 'signpri.key')
        if (!key) throw new DojangError('MISSING_FILE', 'This copy has no signPri.key; revoke with a reference number and authorization code instead.', { file: 'signPri.key' })
        const password = input.password
        const decrypted = await passwordAttempt(core, target, () => decryptPrivateKeyAsync(key.data, password, { label: key.name }))
        auth = { kind: 'key', pkcs8: decrypted.pkcs8 }
      } else {
        auth = { kind: 'codes', referenceNumber: input.codes!.referenceNumber, authCode: input.codes!.authCode }
      }
      let status: number
      try {
        status = (await cmpRevoke({ profile, certDer, auth, reason: input.reason, ctx, deps: input.deps })).status
      } finally {
        if (auth.kind === 'key') auth.pkcs8.fill(0)
        session?.close()
      }
      // Revoked: every copy of it goes to the trash (a token has none: its copies are left, and said so).
      ctx.progress?.({ step: 'trash' })
      const result: RevokeOutput = { status, trashed: [], failed: [], left: [] }
      for (const location of copiesOf(core, target.certificate, target.location)) {
        try {
          const copy = location === target.location ? target : await lookupCopy(core, location)
          if (copy.store.capabilities.secret === 'pin') {
            result.left.push(copy.location)
            continue
          }
          if (!copy.store.capabilities.remove) throw new DojangError('INVALID_INPUT', 'Copies cannot be removed from this medium.', { medium: copy.store.medium })
          result.trashed.push(await moveToTrash(core.dataDir, copy.store, copy.location, { now: core.now() }))
          core.inventory.removeCopy(copy.location)
          entry.locations.push(copy.location)
        } catch (e) {
          if (!isDojangError(e)) throw e
          result.failed.push({ location, error: e })
        }
      }
      return result
    }),
  )
  core.inventoryChanged()
  return out
}

/** The named copy first, then every other listed, present copy of the same certificate. */
function copiesOf(core: Core, cert: { issuer: string; serial: string } | null, first: string): string[] {
  const out = [first]
  if (!cert) return out
  for (const c of core.inventory.listCertificates({})) {
    for (const copy of c.copies) {
      if (copy.issuer === cert.issuer && copy.serial === cert.serial && copy.missingSince === null && !out.includes(copy.location)) out.push(copy.location)
    }
  }
  return out
}
