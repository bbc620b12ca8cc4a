/**
 * The password check and change of ops/password.ts with the key derivations in the key worker thread
 * (npki/keyCrypto.ts), so that the app's main process keeps answering while a key opens. The key work is the very
 * code of password.ts (checkLoadedPassword, changeBundlePassword) run in the worker; the file steps are the same:
 * one all-or-nothing replaceFiles with a backup, then a read-back that restores the backup on any difference.
 */
import { join } from 'node:path'
import { DojangError } from '../../../common/errors'
import { bytesEqual } from '../asn1/der'
import { readFileSafe, replaceFiles, restoreBackup, type FileChange } from '../fsx'
import { loadCertFolder, type LoadedCertFolder } from '../npki/certFolder'
import { changeBundlePasswordAsync, checkBundlePasswordAsync } from '../npki/keyCrypto'
import type { ChangePasswordOptions, ChangePasswordResult, PasswordCheckResult } from './password'

export { changeBundlePasswordAsync, checkBundlePasswordAsync }

/** The key-relevant files of a loaded folder, under their on-disk names, as the worker's loadCertBundle wants them. */
function bundleOf(loaded: LoadedCertFolder): { files: { name: string; data: Uint8Array }[] } {
  const { names } = loaded.files
  const files: { name: string; data: Uint8Array }[] = [{ name: names.signCert!, data: loaded.signCert.der }]
  if (loaded.signPri && names.signPri) files.push({ name: names.signPri, data: loaded.signPri })
  if (loaded.kmCert && names.kmCert) files.push({ name: names.kmCert, data: loaded.kmCert.der })
  if (loaded.kmPri && names.kmPri) files.push({ name: names.kmPri, data: loaded.kmPri })
  return { files }
}

/** checkPassword, off the main thread. Changes nothing. */
export async function checkPasswordAsync(dir: string, password: string, opts: { kmPassword?: string } = {}): Promise<PasswordCheckResult> {
  return checkLoadedPasswordAsync(await loadCertFolder(dir), password, opts)
}

/** checkLoadedPassword, off the main thread. */
export function checkLoadedPasswordAsync(loaded: LoadedCertFolder, password: string, opts: { kmPassword?: string } = {}): Promise<PasswordCheckResult> {
  return checkBundlePasswordAsync(bundleOf(loaded), loaded.files.dir, password, opts)
}

/** changePassword, off the main thread: same rules, same backup, same read-back. */
export async function changePasswordAsync(dir: string, oldPassword: string, newPassword: string, opts: ChangePasswordOptions): Promise<ChangePasswordResult> {
  const loaded = await loadCertFolder(dir)
  const plan = await changeBundlePasswordAsync(bundleOf(loaded), dir, oldPassword, newPassword, {
    ...(opts.allowWeak !== undefined ? { allowWeak: opts.allowWeak } : {}),
    ...(opts.kmPassword !== undefined ? { kmPassword: opts.kmPassword } : {}),
  })
  const byName = new Map(plan.files.map((f) => [f.name, f.data]))
  const changes: FileChange[] = plan.changed.map((name) => ({ path: join(dir, name), data: byName.get(name)! }))

  const { backupId } = await replaceFiles(opts.dataDir, changes, { reason: 'change-password' })
  // The new bytes were verified to reopen in the worker; the disk must now hold exactly them.
  try {
    for (const c of changes) {
      if (!bytesEqual(await readFileSafe(c.path), c.data!)) throw new Error(`${c.path} does not hold what was written`)
    }
  } catch (e) {
    await restoreBackup(opts.dataDir, backupId)
    throw new DojangError('IO_ERROR', 'The new key files did not read back correctly; the previous files were restored', { dir }, { cause: e })
  }
  return { backupId, changed: plan.changed }
}
