/**
 * 설정. The page may change language, reminders and helpdesk mode, and may remove extra folders; a folder is
 * only added through main's own folder dialog (`addExtraRoot`), so the page can never name a place to write to.
 */
import path from 'node:path'
import { DojangError } from '../../../../common/errors'
import type { KnownSettings } from '../../inventory'
import type { Core } from '../core'

export type SettingsChange = Partial<Pick<KnownSettings, 'language' | 'notifyDays' | 'helpdeskMode' | 'extraRoots'>>

export async function getSettings(core: Core): Promise<KnownSettings> {
  return core.inventory.getSettings()
}

export async function setSettings(core: Core, change: SettingsChange): Promise<KnownSettings> {
  const current = core.inventory.getSettings()
  if (change.extraRoots !== undefined) {
    const added = change.extraRoots.filter((r) => !current.extraRoots.includes(r))
    if (added.length > 0 && core.frontEnd === 'app') {
      throw new DojangError('PERMISSION_DENIED', 'Folders are added with the folder dialog (폴더 추가), not by name.', { field: 'extraRoots' })
    }
    for (const r of added) checkRoot(r)
  }
  for (const [key, value] of Object.entries(change)) {
    if (value !== undefined) core.inventory.setSetting(key as keyof SettingsChange, value as never)
  }
  return core.inventory.getSettings()
}

function checkRoot(root: string): void {
  if (!path.isAbsolute(root) || path.resolve(root) !== root.replace(/[\\/]+$/, '') ) {
    throw new DojangError('INVALID_INPUT', `An extra folder must be a full path such as /home/me/NPKI (not ${root}).`, { field: 'extraRoots' })
  }
}

/** Adds a folder a person picked in main's folder dialog (or typed at the CLI) to the folders Dojang searches. */
export async function addExtraRoot(core: Core, input: { root: string }): Promise<KnownSettings> {
  checkRoot(input.root)
  const current = core.inventory.getSettings()
  if (!current.extraRoots.includes(input.root)) core.inventory.setSetting('extraRoots', [...current.extraRoots, input.root])
  return core.inventory.getSettings()
}
