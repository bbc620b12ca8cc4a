/**
 * Dojang's trash: deleting a certificate first copies its files into the data folder, so that it can be put back.
 *
 *   <dataDir>/trash/<id>/entry.json        where it came from and what it was (never a password)
 *   <dataDir>/trash/<id>/files/<n>-<name>  the bundle's bytes, 0o600 in 0o700 folders
 *
 * An entry is assembled under `.<id>.partial`, every file fsynced and read back, and only then renamed to `<id>`:
 * a listed entry is always complete. The original is removed only after that, through the store (whose removal is
 * itself backed up by fsx). Deleting an entry renames it to `.<id>.deleting` first, so a crash never shows a
 * half-deleted entry. Files are named by index as well as name because two names that differ only in case would be
 * one file in a data folder on Windows or macOS.
 *
 * Emptying the trash deletes an entry together with the backups that hold its key bytes: the backup the store made
 * when it removed the original (same bytes) and earlier password-change backups of the same folder (the same key
 * under an older password). "For good" means Dojang keeps no copy; it cannot promise that an SSD or a snapshot
 * keeps none (see the README).
 */
import { randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { MEDIA } from '../../../common/domain'
import { DojangError, isDojangError } from '../../../common/errors'
import { emptyBackups, listBackups, mapFsError, readFileSafe, writeFileAtomic, type BackupInfo } from '../fsx'
import { parseCertificate } from '../npki/certificate'
import { bundleDifferences, checkBundle, isPlainFileName, MAX_BUNDLE_FILE_BYTES, sha256Of, signCertOf } from '../stores/bundle'
import { errnoOf, removeTree, renameWithRetry, syncDir } from '../stores/dirs'
import type { BundleFile, CertBundle, CopyRef, Store } from '../stores/types'

const DIR_MODE = 0o700
const FILE_MODE = 0o600
const ENTRY_FILE = 'entry.json'
const FILES_DIR = 'files'
/** A `.partial` folder younger than this may belong to a deletion in progress in another Dojang process. */
const STALE_PARTIAL_MS = 60 * 60 * 1000

const TRASH_ID = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/
export const isTrashId = (id: string): boolean => typeof id === 'string' && TRASH_ID.test(id)

export const trashDir = (dataDir: string): string => path.join(dataDir, 'trash')

const entrySchema = z.object({
  version: z.literal(1),
  id: z.string().regex(TRASH_ID),
  medium: z.enum(MEDIA),
  storeId: z.string(),
  location: z.string(),
  label: z.string(),
  subject: z.string().nullable(),
  issuer: z.string().nullable(),
  serial: z.string().nullable(),
  notAfter: z.string().nullable(),
  deletedAt: z.string(),
  files: z.array(
    z.object({
      name: z.string().refine(isPlainFileName, 'not a plain file name'),
      stored: z.string().refine(isPlainFileName, 'not a plain file name'),
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
})

export type TrashRecord = z.infer<typeof entrySchema>

export interface TrashEntry extends TrashRecord {
  /** The entry's folder. */
  dir: string
  /** entry.json readable and every saved file present with its recorded hash. */
  intact: boolean
}

function newTrashId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace('.', '')}-${randomBytes(4).toString('hex')}`
}

function timeOfId(id: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(id)
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!)).toISOString() : new Date(0).toISOString()
}

async function makePrivateDir(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE })
    // The umask can only narrow the mode; an older folder may be wider. Best effort: FAT and Windows ignore it.
    await fsp.chmod(dir, DIR_MODE).catch(() => undefined)
  } catch (e) {
    throw mapFsError(e, dir, "create Dojang's trash folder")
  }
}

/** Renames an entry aside, then deletes it. */
async function deleteEntryDir(dataDir: string, id: string): Promise<void> {
  const dir = path.join(trashDir(dataDir), id)
  const aside = path.join(trashDir(dataDir), `.${id}.deleting`)
  try {
    // A leftover of an interrupted deletion of the same entry would block the rename.
    await removeTree(aside)
    await renameWithRetry(dir, aside)
    await syncDir(trashDir(dataDir))
    await removeTree(aside)
  } catch (e) {
    throw mapFsError(e, dir, 'delete an item from the trash')
  }
}

function certFields(files: BundleFile[]): Pick<TrashRecord, 'subject' | 'issuer' | 'serial' | 'notAfter'> {
  try {
    const cert = parseCertificate(signCertOf(files).data)
    return { subject: cert.subject, issuer: cert.issuer, serial: cert.serialNumberHex, notAfter: cert.notAfter }
  } catch {
    // A damaged certificate can be deleted too; the entry then lists it by place only.
    return { subject: null, issuer: null, serial: null, notAfter: null }
  }
}

/** Writes a complete entry and returns it; the original is not touched. */
async function writeEntry(dataDir: string, origin: CopyRef, files: BundleFile[], now: Date): Promise<TrashEntry> {
  const root = trashDir(dataDir)
  await makePrivateDir(root)
  const id = newTrashId(now)
  const staging = path.join(root, `.${id}.partial`)
  const finalDir = path.join(root, id)
  try {
    await makePrivateDir(path.join(staging, FILES_DIR))
    const record: TrashRecord = {
      version: 1,
      id,
      medium: origin.medium,
      storeId: origin.storeId,
      location: origin.location,
      label: origin.label,
      ...certFields(files),
      deletedAt: now.toISOString(),
      files: files.map((f, i) => ({ name: f.name, stored: `${i}-${f.name}`, size: f.data.length, sha256: sha256Of(f.data) })),
    }
    for (const [i, f] of files.entries()) {
      await writeFileAtomic(path.join(staging, FILES_DIR, record.files[i]!.stored), f.data, { mode: FILE_MODE })
    }
    await writeFileAtomic(path.join(staging, ENTRY_FILE), new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`), { mode: FILE_MODE })
    // Read back before the original may go: what is in the trash must be exactly what was deleted.
    const back = await readEntryFiles(staging, record)
    const problems = bundleDifferences(files, back)
    if (problems.length) throw new DojangError('IO_ERROR', 'The copy in the trash does not match the certificate; nothing was deleted.', { problems: problems.join('; ') })
    await renameWithRetry(staging, finalDir)
    await syncDir(root)
    return { ...record, dir: finalDir, intact: true }
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => undefined)
    throw mapFsError(e, finalDir, 'put the certificate in the trash')
  }
}

async function readRecord(dir: string): Promise<TrashRecord> {
  const file = path.join(dir, ENTRY_FILE)
  const bytes = await readFileSafe(file)
  try {
    return entrySchema.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)))
  } catch (e) {
    throw new DojangError('CORRUPT_FILE', 'The description of an item in the trash is damaged.', { path: file }, { cause: e })
  }
}

/** The saved files of an entry, each checked against its recorded size and hash. */
async function readEntryFiles(dir: string, record: TrashRecord): Promise<BundleFile[]> {
  const out: BundleFile[] = []
  for (const f of record.files) {
    const file = path.join(dir, FILES_DIR, f.stored)
    const data = await readFileSafe(file, MAX_BUNDLE_FILE_BYTES)
    if (data.length !== f.size || sha256Of(data) !== f.sha256) {
      throw new DojangError('CORRUPT_FILE', `The saved copy of ${f.name} in the trash is damaged.`, { path: file, name: f.name })
    }
    out.push({ name: f.name, data })
  }
  return out
}

/**
 * Moves one copy to the trash: its bytes are saved (and verified) in the data folder, then the store removes the
 * original. If the removal fails while the original is still complete, the trash entry is dropped again, so the
 * error means "nothing changed"; if it failed halfway, the entry stays so that nothing can be lost.
 */
export async function moveToTrash(dataDir: string, store: Store, location: string, opts: { now?: Date } = {}): Promise<TrashEntry> {
  if (typeof dataDir !== 'string' || !dataDir) throw new DojangError('INVALID_INPUT', "Dojang's data folder was not given.")
  const files = checkBundle(await store.read(location))
  const origin: CopyRef = { medium: store.medium, storeId: store.id, location, label: store.label ?? store.id }
  const entry = await writeEntry(dataDir, origin, files, opts.now ?? new Date())
  try {
    await store.remove(location, { dataDir })
  } catch (e) {
    const stillThere = await store.read(location).then(
      (b) => bundleDifferences(files, b.files).length === 0,
      () => false,
    )
    if (stillThere) await deleteEntryDir(dataDir, entry.id).catch(() => undefined)
    const err = mapFsError(e, location, 'remove the certificate')
    throw new DojangError(err.code, err.message, { ...err.details, ...(stillThere ? { changed: false } : { trashId: entry.id }) }, { cause: e })
  }
  return entry
}

/** Every entry, newest first. A damaged entry is listed with `intact: false` so that it can be seen and emptied. */
export async function listTrash(dataDir: string): Promise<TrashEntry[]> {
  let names: string[]
  try {
    names = await fsp.readdir(trashDir(dataDir))
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return []
    throw mapFsError(e, trashDir(dataDir), 'read the trash')
  }
  const out: TrashEntry[] = []
  for (const id of names.filter(isTrashId).sort().reverse()) {
    const dir = path.join(trashDir(dataDir), id)
    try {
      const record = await readRecord(dir)
      if (record.id !== id) throw new DojangError('CORRUPT_FILE', 'A trash item names another item.', { id })
      const intact = await readEntryFiles(dir, record).then(
        () => true,
        () => false,
      )
      out.push({ ...record, dir, intact })
    } catch {
      out.push({
        version: 1,
        id,
        dir,
        intact: false,
        medium: 'other',
        storeId: '',
        location: '',
        label: '',
        subject: null,
        issuer: null,
        serial: null,
        notAfter: null,
        deletedAt: timeOfId(id),
        files: [],
      })
    }
  }
  return out
}

async function loadEntry(dataDir: string, id: string): Promise<{ record: TrashRecord; bundle: CertBundle }> {
  if (!isTrashId(id)) throw new DojangError('INVALID_INPUT', 'That is not the name of an item in the trash.', { id: String(id) })
  const dir = path.join(trashDir(dataDir), id)
  let record: TrashRecord
  try {
    record = await readRecord(dir)
  } catch (e) {
    if (isDojangError(e, 'NOT_FOUND')) throw new DojangError('NOT_FOUND', 'That item is no longer in the trash (it may have been restored or emptied).', { id }, { cause: e })
    throw e
  }
  return { record, bundle: { files: await readEntryFiles(dir, record) } }
}

/**
 * Puts a trashed certificate back through `store` (usually the one it came from, but any store works). CONFLICT
 * when a certificate with that subject is there again, unless `overwrite`. The entry leaves the trash only after
 * the restored files were read back and matched.
 */
export async function restoreFromTrash(dataDir: string, id: string, store: Store, opts: { overwrite?: boolean } = {}): Promise<CopyRef> {
  const { bundle } = await loadEntry(dataDir, id)
  const ref = await store.write(bundle, { dataDir, overwrite: opts.overwrite })
  const back = await store.read(ref.location)
  const problems = bundleDifferences(bundle.files, back.files)
  if (problems.length) {
    throw new DojangError('IO_ERROR', 'The restored certificate does not match the copy in the trash; the trash still holds it.', {
      id,
      location: ref.location,
      problems: problems.join('; '),
    })
  }
  // The certificate is back; a failure to tidy the trash leaves a duplicate there, which is harmless.
  await deleteEntryDir(dataDir, id).catch(() => undefined)
  return ref
}

const isInside = (dir: string, file: string): boolean => {
  const rel = path.relative(dir, file)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

/**
 * The backups that hold bytes of a trashed certificate's files, so that emptying the trash leaves no copy behind.
 * A backup qualifies only when every file it saved is such bytes: the very bytes that were trashed (the deletion's
 * own backup, whatever the medium), or, for a password change of the same folder made before the deletion, the
 * same key under an older password. Backups that also hold anything else are kept.
 */
function backupsHolding(record: TrashRecord, backups: readonly BackupInfo[]): string[] {
  const trashed = new Set(record.files.map((f) => f.sha256))
  const deletedAt = Date.parse(record.deletedAt)
  const folder = path.isAbsolute(record.location) ? record.location : undefined
  return backups
    .filter((b) => {
      const saved = b.files.filter((f) => f.existed && f.oldSha256 !== null)
      if (saved.length === 0 || b.pending) return false
      const olderKeyOfThisFolder = (f: (typeof saved)[number]) =>
        folder !== undefined && b.reason === 'change-password' && Date.parse(b.createdAt) <= deletedAt && isInside(folder, f.path)
      return saved.every((f) => trashed.has(f.oldSha256!) || olderKeyOfThisFolder(f))
    })
    .map((b) => b.backupId)
}

/**
 * Deletes entries for good (all, or those deleted before `olderThan`) and returns how many went, together with the
 * backups that hold their key bytes (see backupsHolding). Leftovers of interrupted trash operations are swept as
 * well.
 */
export async function emptyTrash(dataDir: string, opts: { olderThan?: Date } = {}): Promise<number> {
  const root = trashDir(dataDir)
  let names: string[]
  try {
    names = await fsp.readdir(root)
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return 0
    throw mapFsError(e, root, 'read the trash')
  }
  let removed = 0
  const backups = await listBackups(dataDir)
  const keyBackups = new Set<string>()
  for (const id of names.filter(isTrashId)) {
    const record = await readRecord(path.join(root, id)).catch(() => undefined)
    if (opts.olderThan) {
      const when = record?.deletedAt ?? timeOfId(id)
      if (!(new Date(when).getTime() < opts.olderThan.getTime())) continue
    }
    if (record) for (const b of backupsHolding(record, backups)) keyBackups.add(b)
    await deleteEntryDir(dataDir, id)
    removed++
  }
  // After the entries: a failure here leaves backups (still listed, still deletable), never a half-deleted entry.
  if (keyBackups.size > 0) await emptyBackups(dataDir, { ids: [...keyBackups] })
  for (const name of names) {
    const leftover = /^\.(.+)\.(deleting|partial)$/.exec(name)
    if (!leftover || !isTrashId(leftover[1]!)) continue
    const dir = path.join(root, name)
    if (leftover[2] === 'partial') {
      const age = await fsp.stat(dir).then((s) => Date.now() - s.mtimeMs, () => 0)
      if (age < STALE_PARTIAL_MS) continue
    }
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined)
  }
  return removed
}
