/** 백업: the key files earlier operations replaced (they still open with the old password), restore and emptying. */
import { DAY_MS } from '../../../../common/domain'
import { emptyBackups as emptyBackupFolder, listBackups as listBackupFolder, restoreBackup as restoreBackupFolder, type BackupInfo } from '../../fsx'
import type { Core } from '../core'

export function listBackups(core: Core): Promise<BackupInfo[]> {
  return listBackupFolder(core.dataDir)
}

/** After a password change because the old one leaked, the old files must go too. */
export async function emptyBackups(core: Core, input: { olderThanDays?: number } = {}): Promise<number> {
  const olderThan = input.olderThanDays === undefined ? undefined : new Date(core.now().getTime() - input.olderThanDays * DAY_MS)
  return core.audited({ action: 'wipe', locations: [], detail: { what: 'backups', olderThanDays: input.olderThanDays ?? 0 } }, () =>
    emptyBackupFolder(core.dataDir, olderThan ? { olderThan } : {}),
  )
}

/** Puts the files of a backup back; itself undoable (the files it replaces become a new backup, whose id it returns). */
export async function restoreBackup(core: Core, input: { id: string }): Promise<string> {
  const undo = await core.audited({ action: 'restore', locations: [], detail: { what: 'backup' } }, async () => (await restoreBackupFolder(core.dataDir, input.id)).backupId)
  core.inventoryChanged()
  return undo
}
