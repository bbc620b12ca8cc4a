/**
 * 갱신: a new key pair and certificate from the CA (kur signed with the current key), from D-30 until expiry.
 * The new signCert.der + signPri.key replace the old ones in the copy, all or nothing through its store (the old
 * files stay in Dojang's backups; kmCert/kmPri and every other file are left as they are). `alsoUpdate` puts the
 * same new pair into other copies of the same certificate, each all or nothing; a copy with another password
 * is reported in `failed` and keeps its old pair. A copy on a 보안토큰 is renewed on the token (renewOnToken).
 */
import { daysLeft, EXPIRING_DAYS } from '../../../../common/domain'
import { DojangError, isDojangError } from '../../../../common/errors'
import { bytesEqual } from '../../asn1/der'
import { restoreBackup } from '../../fsx'
import { X509Certificate } from 'node:crypto'
import { renewCertificate as cmpRenew, renewOnKey, profileEndpoint, type CaProfile, type IssuanceDeps } from '../../issuance'
import { parseCertificate } from '../../npki/certificate'
import { decryptPrivateKeyAsync } from '../../npki/keyCrypto'
import { requireReadableKeys } from '../../ops/password'
import { enrolWithTokenKey, listedTokenLocation, pinStore, requirePin, tokenKeyHolder } from '../../ops/token'
import { requireTokenLocation } from '../../stores/token'
import { foldName, signCertOf } from '../../stores/bundle'
import type { BundleFile, CertBundle, Store } from '../../stores/types'
import type { Core } from '../core'
import { lookupCopy, passwordAttempt, type CopyTarget } from '../lookup'
import { caProfileNamed } from './caProfiles'
import { issuedKeeper, issuedView, type IssuedCertificateView, type OpenAuditEntry } from './issuedCertificate'

export interface RenewInput {
  /** The listed copy whose key signs the request. */
  location: string
  ca: string
  /** The certificate's password: opens the current key and protects the new one. Not used for a 보안토큰 copy. */
  password?: string
  /** Only for a copy on a 보안토큰: its PIN (the old key on the token signs, the new key is generated there). */
  pin?: string
  /** Renew even more than 30 days before expiry (a warning is returned). */
  force?: boolean
  /** Other copies of the same certificate that get the new pair too. */
  alsoUpdate?: string[]
  deps?: IssuanceDeps
}

export interface RenewOutput {
  certificate: IssuedCertificateView
  renewed: { location: string; backupId: string }[]
  failed: { location: string; error: DojangError }[]
  warnings: ('EARLY_RENEWAL')[]
  /**
   * A copy on a 보안토큰: the new certificate and its key were put on the token beside the old pair, which stays
   * (`previous`; the person may delete it once the new one works). `renewed` is then empty.
   */
  onToken?: { location: string; previous: string }
  note?: string
}

const RENEW_WINDOW_DAYS = EXPIRING_DAYS

/** Whether renewal is open today: expired → CERT_EXPIRED; before D-30 → INVALID_INPUT unless forced. */
export function renewalWindow(notAfter: string, now: Date, force: boolean): { early: boolean; daysLeft: number } {
  const left = daysLeft(notAfter, now)
  if (left < 0) {
    throw new DojangError('CERT_EXPIRED', 'This certificate has expired and cannot be renewed; ask your bank or CA for a new reference number and authorization code and issue it again.', { hint: 'ask-bank-for-new-codes', daysLeft: left })
  }
  if (left > RENEW_WINDOW_DAYS && !force) {
    throw new DojangError('INVALID_INPUT', `Renewal opens ${RENEW_WINDOW_DAYS} days before expiry; this certificate has ${left} days left.`, { reason: 'too-early', daysLeft: left, hint: 'renew-too-early' })
  }
  return { early: left > RENEW_WINDOW_DAYS, daysLeft: left }
}

const fileNamed = (files: BundleFile[], name: string) => files.find((f) => foldName(f.name) === name.toLowerCase())

export async function renewCertificate(core: Core, input: RenewInput): Promise<RenewOutput> {
  const profile = caProfileNamed(core, input.ca)
  const source = await lookupCopy(core, input.location)
  if (source.store.capabilities.secret === 'pin') return renewOnToken(core, input, profile, source)
  if (typeof input.password !== 'string' || input.password === '') {
    throw new DojangError('INVALID_INPUT', 'Renewal opens this copy\'s key with its certificate password: give it.', { field: 'password' })
  }
  const password = input.password
  requireReplaceable(source.store)
  const bundle = await source.store.read(source.location)
  const certDer = signCertOf(bundle.files).data
  const current = parseCertificate(certDer)
  const window = renewalWindow(current.notAfter, core.now(), input.force === true)
  const key = fileNamed(bundle.files, 'signPri.key')
  if (!key) throw new DojangError('MISSING_FILE', 'This copy has no signPri.key, so it cannot sign the renewal request.', { file: 'signPri.key' })
  const others = [...new Set((input.alsoUpdate ?? []).filter((l) => l !== source.location))]

  const entry: OpenAuditEntry = { action: 'renew', certificate: source.certificate, locations: [source.location], detail: { ca: profile.name, endpoint: profileEndpoint(profile), early: window.early } }
  const out = await core.operations.run('renew', (ctx) =>
    core.audited(entry, async () => {
      const decrypted = await passwordAttempt(core, source, () => decryptPrivateKeyAsync(key.data, password, { label: key.name }))
      const keeper = issuedKeeper(core, 'renewed')
      let issued
      try {
        issued = await keeper.during(cmpRenew({ profile, current: { certDer, pkcs8: decrypted.pkcs8 }, password: { keep: password }, scheme: decrypted.file.scheme, keep: keeper.keep, ctx, deps: input.deps }))
      } finally {
        decrypted.pkcs8.fill(0)
      }
      ctx.progress?.({ step: 'save', done: 0, total: 1 + others.length })
      const result: RenewOutput = { certificate: issuedView(issued.certificate), renewed: [], failed: [], warnings: window.early ? ['EARLY_RENEWAL'] : [] }
      // The old pair stays as it was if this fails (putNewPair is all or nothing).
      result.renewed.push(await keeper.save(() => putNewPair(core, source.store, source.location, bundle, issued.bundle)))
      await core.records.refresh(source.store, source.location)
      for (const location of others) {
        ctx.progress?.({ step: 'save', done: result.renewed.length + result.failed.length, total: 1 + others.length })
        try {
          const copy = await lookupCopy(core, location)
          requireReplaceable(copy.store)
          const old = await copy.store.read(copy.location)
          const oldCert = signCertOf(old.files).data
          if (!bytesEqual(oldCert, certDer)) throw new DojangError('INVALID_INPUT', 'This copy holds another certificate.', { reason: 'other-certificate' })
          const oldKey = fileNamed(old.files, 'signPri.key')
          if (!oldKey) throw new DojangError('MISSING_FILE', 'This copy has no signPri.key.', { file: 'signPri.key' })
          // Same password, or the new key file (encrypted with the password just used) would lock the person out.
          const check = await passwordAttempt(core, copy, () => decryptPrivateKeyAsync(oldKey.data, password, { label: oldKey.name }))
          check.pkcs8.fill(0)
          result.renewed.push(await putNewPair(core, copy.store, copy.location, old, issued.bundle))
          entry.locations.push(copy.location)
          await core.records.refresh(copy.store, copy.location)
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

function requireReplaceable(store: Store): void {
  requireReadableKeys(store)
  if (!store.capabilities.replaceKeys || !store.replaceFiles) {
    throw new DojangError('INVALID_INPUT', 'The key files of a copy on this medium cannot be replaced here.', { medium: store.medium })
  }
}

/**
 * Replaces signCert.der and signPri.key (spelled as the copy spells them) all or nothing, then reads them back; a
 * copy that does not hold exactly the new bytes is restored from the backup at once.
 */
async function putNewPair(core: Core, store: Store, location: string, old: CertBundle, fresh: CertBundle): Promise<{ location: string; backupId: string }> {
  const changes = fresh.files.map((f) => ({ name: fileNamed(old.files, f.name)?.name ?? f.name, data: f.data }))
  const replaced = await store.replaceFiles!(location, changes, { dataDir: core.dataDir, reason: 'renew' })
  try {
    const back = await store.read(replaced.location)
    for (const c of changes) {
      const onMedium = fileNamed(back.files, c.name)
      if (!onMedium || !bytesEqual(onMedium.data, c.data)) throw new Error(`${c.name} does not hold what was written`)
    }
  } catch (e) {
    await restoreBackup(core.dataDir, replaced.backupId)
    throw new DojangError('IO_ERROR', 'The renewed key files did not read back correctly; the previous files were restored', { location }, { cause: e })
  }
  return { location: replaced.location, backupId: replaced.backupId }
}

/**
 * 갱신 of a copy on a 보안토큰: the kur is signed by the old key on the token, the new key pair is generated on the
 * token, and the new certificate is stored beside it. The old certificate and key stay on the token: deleting them is
 * the person's decision (a key on a token cannot go to Dojang's trash). Other copies cannot get a key that never
 * leaves the token, so `alsoUpdate` is refused before anything happens.
 */
async function renewOnToken(core: Core, input: RenewInput, profile: CaProfile, source: CopyTarget): Promise<RenewOutput> {
  const token = pinStore(source.store)
  const pin = requirePin(input.pin)
  if ((input.alsoUpdate ?? []).some((l) => l !== source.location)) {
    throw new DojangError('INVALID_INPUT', 'A renewal on a security token makes its new key on the token, where no other copy can get it; renew the other copies on their own.', { reason: 'token-also-update' })
  }
  const { ref } = requireTokenLocation(source.location, token.serial)
  const certDer = signCertOf((await token.read(source.location)).files).data
  const current = parseCertificate(certDer)
  const window = renewalWindow(current.notAfter, core.now(), input.force === true)
  const entry: OpenAuditEntry = { action: 'renew', certificate: source.certificate, locations: [source.location], detail: { ca: profile.name, endpoint: profileEndpoint(profile), early: window.early, keyOnToken: true } }
  const out = await core.operations.run('renew', (ctx) =>
    core.audited(entry, async () => {
      const session = await token.login(pin)
      try {
        // The old key must be there to sign the request: found out before a new key is generated.
        const listed = (await token.list({ session })).find((c) => c.location === source.location)
        if (!listed?.hasKey) throw new DojangError('NOT_FOUND', 'The token holds this certificate but not its private key, so it cannot sign the renewal.', { reason: 'token-key-missing' })
        const oldSpki = new Uint8Array(new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' }))
        const { issued, stored } = await enrolWithTokenKey(
          session,
          (newKey, beforeConfirm) => renewOnKey({ profile, current: { certDer, key: tokenKeyHolder(session, ref, oldSpki) }, newKey, beforeConfirm, ctx, deps: input.deps }),
        )
        ctx.progress?.({ step: 'save', done: 0, total: 1 })
        const location = await listedTokenLocation(token, stored.idHex, issued.certDer)
        entry.locations.push(location)
        await core.records.refresh(token, location)
        const result: RenewOutput = {
          certificate: issuedView(issued.certificate),
          renewed: [],
          failed: [],
          warnings: window.early ? ['EARLY_RENEWAL'] : [],
          onToken: { location, previous: source.location },
          note: 'The new certificate and its key (generated on the token) are on the security token beside the old ones, which stay until you delete them.',
        }
        return result
      } finally {
        session.close()
      }
    }),
  )
  core.inventoryChanged()
  return out
}
