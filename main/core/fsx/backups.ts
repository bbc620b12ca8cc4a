import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { DojangError, isDojangError } from '../../../common/errors'
import { errnoOf, mapFsError } from './errors'
import { ensurePrivateDir, nodeIo, readFileSafe, sha256Hex, syncDir } from './io'
import { acquireLock } from './lock'
import { manifestSchema, parseJson, type Manifest } from './records'
import { backupPath, backupsDir, deletingBackupPath, isBackupId, journalDir, journalPath, MANIFEST } from './paths'
import { recoverJournals } from './recover'
import { MAX_REPLACE_BYTES, replaceFiles, type FileChange } from './txn'

export interface BackupFileInfo {
  /** Absolute path the file had when the backup was taken. */
  path: string
  /** false: the operation created the file; restoring deletes it. */
  existed: boolean
  size: number | null
  oldSha256: string | null
  /** null: the operation deleted the file. */
  newSha256: string | null
}

export interface BackupInfo {
  backupId: string
  /** ISO time of the operation. */
  createdAt: string
  reason: string
  dir: string
  files: BackupFileInfo[]
  /** Manifest readable and every saved copy present with its recorded hash. */
  intact: boolean
  /** A journal still names it: an interrupted operation that recovery has not settled yet. */
  pending: boolean
}

/** The time encoded in a backup id (…T…Z-rand), for backups whose manifest is unreadable. */
function timeOfId(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(id)
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!)) : new Date(0)
}

async function backupIds(dataDir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(backupsDir(dataDir))).filter(isBackupId).sort().reverse()
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return []
    throw mapFsError(e, backupsDir(dataDir), 'read the backup folder')
  }
}

async function isPending(dataDir: string, id: string): Promise<boolean> {
  return fsp.stat(journalPath(dataDir, id)).then(
    () => true,
    () => false,
  )
}

async function readManifest(dataDir: string, id: string): Promise<Manifest> {
  const file = path.join(backupPath(dataDir, id), MANIFEST)
  const bytes = await readFileSafe(file)
  try {
    const manifest = parseJson(bytes, manifestSchema)
    if (manifest.backupId !== id) throw new Error('id mismatch')
    return manifest
  } catch (e) {
    throw new DojangError('CORRUPT_FILE', `The description of backup ${id} is damaged.`, { path: file, backupId: id }, { cause: e })
  }
}

/** Reads a saved copy and checks it against the manifest. */
async function readSaved(dataDir: string, id: string, backupFile: string, sha: string): Promise<Uint8Array> {
  const file = path.join(backupPath(dataDir, id), backupFile)
  const bytes = await readFileSafe(file, MAX_REPLACE_BYTES)
  if (sha256Hex(bytes) !== sha) {
    throw new DojangError('CORRUPT_FILE', `The saved copy ${backupFile} in backup ${id} is damaged.`, { path: file, backupId: id })
  }
  return bytes
}

/** Backups, newest first. */
export async function listBackups(dataDir: string): Promise<BackupInfo[]> {
  const out: BackupInfo[] = []
  for (const id of await backupIds(dataDir)) {
    const dir = backupPath(dataDir, id)
    const pending = await isPending(dataDir, id)
    let manifest: Manifest
    try {
      manifest = await readManifest(dataDir, id)
    } catch {
      out.push({ backupId: id, createdAt: timeOfId(id).toISOString(), reason: '', dir, files: [], intact: false, pending })
      continue
    }
    let intact = true
    for (const f of manifest.files) {
      if (f.backupFile && f.oldSha256) intact = intact && (await readSaved(dataDir, id, f.backupFile, f.oldSha256).then(() => true, () => false))
    }
    out.push({
      backupId: id,
      createdAt: manifest.createdAt,
      reason: manifest.reason,
      dir,
      intact,
      pending,
      files: manifest.files.map((f) => ({ path: f.path, existed: f.backupFile !== null, size: f.size, oldSha256: f.oldSha256, newSha256: f.newSha256 })),
    })
  }
  return out
}

/**
 * Puts back the files a backup holds (and deletes files the operation had created). It runs through replaceFiles,
 * so the restore is all-or-nothing and itself leaves a backup that undoes it. Returns that new backup's id.
 */
export async function restoreBackup(dataDir: string, backupId: string): Promise<{ backupId: string }> {
  if (!isBackupId(backupId)) throw new DojangError('INVALID_INPUT', 'That is not a backup name.', { backupId })
  let manifest: Manifest
  try {
    manifest = await readManifest(dataDir, backupId)
  } catch (e) {
    if (isDojangError(e, 'NOT_FOUND')) throw new DojangError('NOT_FOUND', `Backup ${backupId} does not exist (it may have been emptied).`, { backupId }, { cause: e })
    throw e
  }
  if (await isPending(dataDir, backupId)) {
    // Its operation was interrupted (or only its journal removal failed): settle it first, as a start would.
    await recoverJournals(dataDir)
    if (await isPending(dataDir, backupId)) {
      throw new DojangError('CONFLICT', `Backup ${backupId} belongs to an interrupted operation that could not be finished yet; see the recovery report.`, { backupId })
    }
    manifest = await readManifest(dataDir, backupId)
  }
  // Verify every copy before changing anything.
  const changes: FileChange[] = []
  for (const f of manifest.files) {
    const data = f.backupFile && f.oldSha256 ? await readSaved(dataDir, backupId, f.backupFile, f.oldSha256) : null
    changes.push({ path: f.path, data })
  }
  return replaceFiles(dataDir, changes, { reason: `restore-backup:${backupId}` })
}

/**
 * Deletes backups (all, those made before `olderThan`, and/or only the given `ids`) and returns how many went.
 * Backups of interrupted operations are kept: recovery may still need them. `ids` lets a caller drop the copy of a
 * key that still opens with a password the user has just retired.
 */
export async function emptyBackups(dataDir: string, opts: { olderThan?: Date; ids?: string[] } = {}): Promise<number> {
  const only = opts.ids ? new Set(opts.ids) : undefined
  const ids = (await backupIds(dataDir)).filter((id) => !only || only.has(id))
  if (ids.length === 0) return 0
  await ensurePrivateDir(nodeIo, journalDir(dataDir)).catch((e: unknown) => {
    throw mapFsError(e, journalDir(dataDir), "create Dojang's journal folder")
  })
  const release = await acquireLock(dataDir)
  try {
    let removed = 0
    for (const id of ids) {
      if (await isPending(dataDir, id)) continue
      if (opts.olderThan) {
        const when = await readManifest(dataDir, id).then((m) => new Date(m.createdAt), () => timeOfId(id))
        if (!(when.getTime() < opts.olderThan.getTime())) continue
      }
      // Rename first so that a crash never leaves a half-deleted backup in the list; recovery sweeps the rest.
      const aside = deletingBackupPath(dataDir, id)
      try {
        await fsp.rename(backupPath(dataDir, id), aside)
        await syncDir(nodeIo, backupsDir(dataDir))
        await fsp.rm(aside, { recursive: true, force: true })
      } catch (e) {
        throw mapFsError(e, backupPath(dataDir, id), 'delete a backup')
      }
      removed++
    }
    return removed
  } finally {
    await release()
  }
}
