import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'

/**
 * Where Dojang keeps its own data (backups, journals, inventory). `platform` picks the path flavour so that tests can
 * ask for a Windows path on Linux.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  const override = env.DOJANG_DATA_DIR
  if (override) return override
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming')
    return path.win32.join(appData, 'Dojang')
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Dojang')
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME
  if (xdg && path.posix.isAbsolute(xdg)) return path.posix.join(xdg, 'dojang')
  return path.posix.join(home, '.local', 'share', 'dojang')
}

export const BACKUPS = 'backups'
export const JOURNAL = 'journal'
export const MANIFEST = 'manifest.json'

export const backupsDir = (dataDir: string): string => path.join(dataDir, BACKUPS)
export const journalDir = (dataDir: string): string => path.join(dataDir, JOURNAL)
export const journalPath = (dataDir: string, id: string): string => path.join(journalDir(dataDir), `${id}.json`)
export const backupPath = (dataDir: string, id: string): string => path.join(backupsDir(dataDir), id)
/** A backup is written under this dot-name and takes its real name only just before the commit mark. */
export const stagedBackupPath = (dataDir: string, id: string): string => path.join(backupsDir(dataDir), `.${id}.partial`)
export const deletingBackupPath = (dataDir: string, id: string): string => path.join(backupsDir(dataDir), `.${id}.deleting`)

/** Backup ids sort by time and are safe as file names on every OS (no colons). */
export function newBackupId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '')
  return `${stamp}-${randomBytes(4).toString('hex')}`
}

const BACKUP_ID = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/
export const isBackupId = (id: string): boolean => BACKUP_ID.test(id)

const TEMP_NAME = /^\..+\.dojang-[0-9a-f]{12}\.tmp$/
/** Name of a temporary file beside `target`; the scanner can recognise leftovers with `isDojangTempName`. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.dojang-${randomBytes(6).toString('hex')}.tmp`)
}
export const isDojangTempName = (name: string): boolean => TEMP_NAME.test(name)
