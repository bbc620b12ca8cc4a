/**
 * Checking and changing a certificate's password. The sign pair and the km pair change together or not at all;
 * the new files are verified in memory and again on disk, and the old ones stay in Dojang's backups.
 */
import { DojangError, isDojangError } from '../../../common/errors'
import { bytesEqual } from '../asn1/der'
import { restoreBackup } from '../fsx'
import { loadCertBundle, type LoadedCertFolder } from '../npki/certFolder'
import type { CertificateInfo } from '../npki/certificate'
import { checkPasswordRules } from '../../../common/passwordRules'
import { decryptPrivateKey, describeScheme, encryptPrivateKey, type DecryptedKey, type PublicKeyRef } from '../npki/privateKey'
import { DiskStore } from '../stores/diskStore'
import type { Store } from '../stores/types'

export interface KeyReport {
  file: string
  scheme: string
  hasRandomNum: boolean
  trailingBytes: number
  passwordEncoding: 'utf-8' | 'cp949'
}

export interface PasswordCheckResult {
  sign: KeyReport
  km?: KeyReport
}

function publicKeyOf(cert: CertificateInfo): PublicKeyRef | undefined {
  const { modulus, exponent } = cert.publicKey
  return modulus ? { modulus, exponent } : undefined
}

function report(file: string, k: DecryptedKey): KeyReport {
  return {
    file,
    scheme: describeScheme(k.file.scheme),
    hasRandomNum: k.info.randomNum !== undefined,
    trailingBytes: k.file.trailing.length,
    passwordEncoding: k.passwordEncoding,
  }
}

interface OpenedPairs {
  folder: LoadedCertFolder
  sign: DecryptedKey
  km?: DecryptedKey
}

function openPairs(folder: LoadedCertFolder, password: string, kmPassword?: string): OpenedPairs {
  const dir = folder.files.dir
  const signName = folder.files.names.signPri
  if (!folder.signPri || !signName) {
    throw new DojangError('MISSING_FILE', 'The private key (signPri.key) is missing: this copy can be viewed but not used', { dir })
  }
  const sign = decryptPrivateKey(folder.signPri, password, { publicKey: publicKeyOf(folder.signCert), label: signName })
  let km: DecryptedKey | undefined
  const kmName = folder.files.names.kmPri
  if (folder.kmPri && kmName) {
    try {
      km = decryptPrivateKey(folder.kmPri, kmPassword ?? password, {
        publicKey: folder.kmCert ? publicKeyOf(folder.kmCert) : undefined,
        label: kmName,
      })
    } catch (e) {
      if (isDojangError(e, 'WRONG_PASSWORD') && kmPassword === undefined) {
        throw new DojangError('WRONG_PASSWORD', 'The signing key opened, but the key-management key (kmPri.key) has a different password', { file: kmName, kmPasswordDiffers: true }, { cause: e })
      }
      throw e
    }
  }
  return { folder, sign, km }
}

/** Verifies the password against the sign key (and the km key when present). Changes nothing. */
export async function checkPassword(dir: string, password: string, opts: { kmPassword?: string } = {}): Promise<PasswordCheckResult> {
  return checkCopyPassword(DiskStore.forFolder(dir), dir, password, opts)
}

/** checkPassword of a copy in any store whose keys can be read. */
export async function checkCopyPassword(store: Store, location: string, password: string, opts: { kmPassword?: string } = {}): Promise<PasswordCheckResult> {
  requireReadableKeys(store)
  return checkLoadedPassword(loadCertBundle(await store.read(location), location), password, opts)
}

/** A token's keys never leave it: operations that need the key bytes say so instead of failing obscurely. */
export function requireReadableKeys(store: Store): void {
  if (!store.capabilities.readKeys) {
    throw new DojangError('INVALID_INPUT', 'The private key on a security token never leaves it: this operation needs a copy on a disk, a USB drive or 키체인.', { medium: store.medium })
  }
}

/** checkPassword over files already loaded (keychain bundles). */
export function checkLoadedPassword(loaded: LoadedCertFolder, password: string, opts: { kmPassword?: string } = {}): PasswordCheckResult {
  const { folder, sign, km } = openPairs(loaded, password, opts.kmPassword)
  const result: PasswordCheckResult = { sign: report(folder.files.names.signPri!, sign) }
  if (km) result.km = report(folder.files.names.kmPri!, km)
  return result
}

export interface ChangePasswordOptions {
  /** Dojang's data folder: backups and the recovery journal live there. */
  dataDir: string
  /** Skip the KISA password rules (the CLI's --allow-weak). */
  allowWeak?: boolean
  /** When kmPri.key has its own password. Both keys get the new password. */
  kmPassword?: string
}

export interface ChangePasswordResult {
  backupId: string
  changed: string[]
}

/** WEAK_PASSWORD (naming the broken KISA rules) unless the new password follows them or `allowWeak`. */
export function requireStrongPassword(newPassword: string, allowWeak?: boolean): void {
  if (allowWeak) return
  const rules = checkPasswordRules(newPassword)
  if (!rules.ok) {
    const failed = rules.rules.filter((r) => !r.ok).map((r) => r.id)
    throw new DojangError('WEAK_PASSWORD', `The new password breaks the KISA password rules: ${failed.join(', ')}`, { failed: failed.join(',') })
  }
}

interface PlannedKey {
  name: string
  key: DecryptedKey
  cert?: CertificateInfo
  /** The re-encrypted file, already verified to reopen with the new password. */
  data: Uint8Array
}

/** Opens both pairs with the old password and re-encrypts them in memory: nothing touches the disk here. */
function planPasswordChange(loaded: LoadedCertFolder, oldPassword: string, newPassword: string, opts: { allowWeak?: boolean; kmPassword?: string }): PlannedKey[] {
  requireStrongPassword(newPassword, opts.allowWeak)
  const { folder, sign, km } = openPairs(loaded, oldPassword, opts.kmPassword)
  const keys: Omit<PlannedKey, 'data'>[] = [{ name: folder.files.names.signPri!, key: sign, cert: folder.signCert }]
  if (km) keys.push({ name: folder.files.names.kmPri!, key: km, cert: folder.kmCert })
  return keys.map((k) => {
    const data = encryptPrivateKey(k.key.pkcs8, newPassword, k.key.file.scheme, { trailing: k.key.file.trailing })
    assertReopens(data, newPassword, k.key.pkcs8, k.name, k.cert)
    return { ...k, data }
  })
}

/**
 * The password change of a copy held in memory (a keychain bundle): returns the new files; the caller stores them.
 * Files other than the keys are returned unchanged.
 */
export function changeBundlePassword<F extends { name: string; data: Uint8Array }>(
  bundle: { files: readonly F[] },
  label: string,
  oldPassword: string,
  newPassword: string,
  opts: { allowWeak?: boolean; kmPassword?: string } = {},
): { files: { name: string; data: Uint8Array }[]; changed: string[] } {
  const plan = planPasswordChange(loadCertBundle(bundle, label), oldPassword, newPassword, opts)
  const byName = new Map(plan.map((p) => [p.name, p.data]))
  return { files: bundle.files.map((f) => ({ name: f.name, data: byName.get(f.name) ?? f.data })), changed: plan.map((p) => p.name) }
}

/** The password change of a certificate folder named by path (its NPKI root is derived from the layout). */
export async function changePassword(dir: string, oldPassword: string, newPassword: string, opts: ChangePasswordOptions): Promise<ChangePasswordResult> {
  const { backupId, changed } = await changeCopyPassword(DiskStore.forFolder(dir), dir, oldPassword, newPassword, opts)
  return { backupId, changed }
}

/**
 * Changes one copy's password in whatever store holds it: the keys are re-encrypted in memory, the store swaps the
 * key files all or nothing (keeping a backup), and the result is read back through the store; a copy that does not
 * reopen with the new password is restored from that backup at once.
 */
export async function changeCopyPassword(store: Store, location: string, oldPassword: string, newPassword: string, opts: ChangePasswordOptions): Promise<ChangePasswordResult & { location: string }> {
  requireReadableKeys(store)
  if (!store.capabilities.replaceKeys || !store.replaceFiles) {
    throw new DojangError('INVALID_INPUT', 'The password of a copy on this medium cannot be changed here.', { medium: store.medium })
  }
  if (oldPassword === newPassword) {
    throw new DojangError('INVALID_INPUT', 'The new password is the same as the current one; nothing was changed.', { reason: 'unchanged-password' })
  }
  const plan = planPasswordChange(loadCertBundle(await store.read(location), location), oldPassword, newPassword, opts)
  const replaced = await store.replaceFiles(
    location,
    plan.map(({ name, data }) => ({ name, data })),
    { dataDir: opts.dataDir, reason: 'change-password' },
  )
  // Read back what the medium now holds: a write that does not reopen is undone from the backup at once.
  try {
    const back = loadCertBundle(await store.read(replaced.location), replaced.location)
    for (const { name, key, cert } of plan) {
      const role = name === back.files.names.signPri ? back.signPri : name === back.files.names.kmPri ? back.kmPri : undefined
      if (!role) throw new Error(`${name} is missing after the change`)
      assertReopens(role, newPassword, key.pkcs8, name, cert)
    }
  } catch (e) {
    await restoreBackup(opts.dataDir, replaced.backupId)
    throw new DojangError('IO_ERROR', 'The new key files did not read back correctly; the previous files were restored', { location }, { cause: e })
  }
  return { backupId: replaced.backupId, changed: plan.map((p) => p.name), location: replaced.location }
}

function assertReopens(data: Uint8Array, password: string, expected: Uint8Array, name: string, cert?: CertificateInfo): void {
  const again = decryptPrivateKey(data, password, { publicKey: cert ? publicKeyOf(cert) : undefined, label: name })
  if (!bytesEqual(again.pkcs8, expected)) {
    throw new DojangError('INTERNAL', `Re-encrypting ${name} did not preserve the key bytes; nothing was changed`, { file: name })
  }
}
