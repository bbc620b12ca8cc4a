/**
 * Checking and changing a certificate's password. The sign pair and the km pair change together or not at all;
 * the new files are verified in memory and again on disk, and the old ones stay in Dojang's backups.
 */
import { DojangError } from '../../../common/errors'
import { bytesEqual } from '../asn1/der'
import { restoreBackup } from '../fsx'
import { changeBundlePasswordAsync, checkBundlePasswordAsync } from '../npki/keyCrypto'
import type { PasswordCheckResult } from '../npki/keyPassword'
import { DiskStore } from '../stores/diskStore'
import type { Store } from '../stores/types'

export { changeBundlePassword, checkLoadedPassword, requireStrongPassword, type KeyReport, type PasswordCheckResult } from '../npki/keyPassword'

/** Verifies the password against the sign key (and the km key when present). Changes nothing. */
export async function checkPassword(dir: string, password: string, opts: { kmPassword?: string } = {}): Promise<PasswordCheckResult> {
  return checkCopyPassword(DiskStore.forFolder(dir), dir, password, opts)
}

/** checkPassword of a copy in any store whose keys can be read; the key derivation runs in the key worker thread. */
export async function checkCopyPassword(store: Store, location: string, password: string, opts: { kmPassword?: string } = {}): Promise<PasswordCheckResult> {
  requireReadableKeys(store)
  return checkBundlePasswordAsync(await store.read(location), location, password, opts)
}

/** A token's keys never leave it: operations that need the key bytes say so instead of failing obscurely. */
export function requireReadableKeys(store: Store): void {
  if (!store.capabilities.readKeys) {
    throw new DojangError('KEY_NOT_EXPORTABLE', 'The private key on a security token never leaves it: this operation needs a copy on a disk, a USB drive or 키체인.', { medium: store.medium })
  }
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
  // Re-encrypted and proved to reopen in the key worker thread: the main process keeps answering meanwhile.
  const plan = await changeBundlePasswordAsync(await store.read(location), location, oldPassword, newPassword, {
    ...(opts.allowWeak !== undefined ? { allowWeak: opts.allowWeak } : {}),
    ...(opts.kmPassword !== undefined ? { kmPassword: opts.kmPassword } : {}),
  })
  const byName = new Map(plan.files.map((f) => [f.name, f.data]))
  const changes = plan.changed.map((name) => ({ name, data: byName.get(name)! }))
  const replaced = await store.replaceFiles(location, changes, { dataDir: opts.dataDir, reason: 'change-password' })
  // The medium must now hold exactly those bytes: anything else is undone from the backup at once.
  try {
    const back = await store.read(replaced.location)
    for (const c of changes) {
      const onMedium = back.files.find((f) => f.name.toLowerCase() === c.name.toLowerCase())
      if (!onMedium || !bytesEqual(onMedium.data, c.data)) throw new Error(`${c.name} does not hold what was written`)
    }
  } catch (e) {
    await restoreBackup(opts.dataDir, replaced.backupId)
    throw new DojangError('IO_ERROR', 'The new key files did not read back correctly; the previous files were restored', { location }, { cause: e })
  }
  return { backupId: replaced.backupId, changed: plan.changed, location: replaced.location }
}

