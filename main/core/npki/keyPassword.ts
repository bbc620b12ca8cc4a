/**
 * Opening and re-encrypting a certificate's keys with its password, in memory: the sign pair and the km pair
 * together or not at all, each re-encrypted key proved to reopen to the same PKCS#8 bytes. Pure (bytes in, bytes
 * out), so the key worker thread runs it; ops/password.ts puts the result on a medium.
 */
import { DojangError, isDojangError } from '../../../common/errors'
import { checkPasswordRules } from '../../../common/passwordRules'
import { bytesEqual } from '../asn1/der'
import { loadCertBundle, type LoadedCertFolder } from './certBundle'
import type { CertificateInfo } from './certificate'
import { decryptPrivateKey, describeScheme, encryptPrivateKey, type DecryptedKey, type PublicKeyRef } from './privateKey'

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

/** checkPassword over files already loaded (keychain bundles). */
export function checkLoadedPassword(loaded: LoadedCertFolder, password: string, opts: { kmPassword?: string } = {}): PasswordCheckResult {
  const { folder, sign, km } = openPairs(loaded, password, opts.kmPassword)
  const result: PasswordCheckResult = { sign: report(folder.files.names.signPri!, sign) }
  if (km) result.km = report(folder.files.names.kmPri!, km)
  return result
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

function assertReopens(data: Uint8Array, password: string, expected: Uint8Array, name: string, cert?: CertificateInfo): void {
  const again = decryptPrivateKey(data, password, { publicKey: cert ? publicKeyOf(cert) : undefined, label: name })
  if (!bytesEqual(again.pkcs8, expected)) {
    throw new DojangError('INTERNAL', `Re-encrypting ${name} did not preserve the key bytes; nothing was changed`, { file: name })
  }
}
