import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { DojangError, isDojangError } from '../../../common/errors'
import { mapFsError } from './errors'
import {
  ensurePrivateDir,
  FILE_MODE,
  nodeIo,
  readFileSafe,
  removeQuietly,
  renameRetrying,
  sha256Hex,
  statForReplace,
  syncDir,
  unlinkIfExists,
  writeFileAtomic,
  writeNewFile,
  type FsIo,
} from './io'
import { faultPoint } from './faults'
import { acquireLock } from './lock'
import { encodeJson, writeJournal, type Journal, type JournalEntry, type Manifest } from './records'
import { backupPath, backupsDir, journalDir, journalPath, MANIFEST, newBackupId, stagedBackupPath, tempPathFor } from './paths'

export interface FileChange {
  path: string
  /** null deletes the file. */
  data: Uint8Array | null
  /** Permission bits for the new file; default: those of the file it replaces, else 0o600. */
  mode?: number
}

export type FaultPoint = 'afterBackup' | 'afterTempWrite' | 'afterCommitMark' | 'afterFirstRename'
/** Test hooks: a hook that throws simulates a failure at that step, one that exits simulates a crash. */
export type FaultHooks = Partial<Record<FaultPoint, () => void>>

/** A transaction step: the per-call hook, then the process-wide named fault point (see ./faults). */
function reach(faults: FaultHooks, point: FaultPoint, file: string): void {
  faults[point]?.()
  faultPoint(`replace.${point}`, 'after', file)
}

export interface ReplaceOptions {
  /** Stored in the backup manifest and shown in the backup list ("change-password"). Never a secret. */
  reason?: string
  faults?: FaultHooks
  /** Test seam for disk errors; production callers leave it out. */
  io?: FsIo
}

/** Files we back up and replace are keys, certificates and PFX files; anything this large is not one. */
export const MAX_REPLACE_BYTES = 64 << 20

/** Runs `fn`, turning an fs error into a DojangError that names the step. */
async function step<T>(file: string, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    throw mapFsError(e, file, action)
  }
}

function withNote(err: DojangError, note: string, details: Record<string, string | number | boolean>): DojangError {
  return new DojangError(err.code, `${err.message} ${note}`, { ...err.details, ...details }, { cause: err })
}

interface Planned {
  target: string
  data: Uint8Array | null
  mode?: number
}

async function plan(dataDir: string, changes: FileChange[]): Promise<Planned[]> {
  if (changes.length === 0) throw new DojangError('INVALID_INPUT', 'No files to change were given.')
  const own = [backupsDir(dataDir), journalDir(dataDir)].map((d) => path.resolve(d) + path.sep)
  // Case-insensitive file systems are the default on Windows and macOS: two spellings there are one file.
  const fold = process.platform === 'win32' || process.platform === 'darwin'
  const seen = new Set<string>()
  const out: Planned[] = []
  for (const c of changes) {
    if (typeof c.path !== 'string' || c.path === '') throw new DojangError('INVALID_INPUT', 'A file to change has no path.')
    if (c.data !== null && !(c.data instanceof Uint8Array)) throw new DojangError('INVALID_INPUT', `The new content of ${path.basename(c.path)} is not bytes.`, { path: c.path })
    const target = path.resolve(c.path)
    const key = fold ? target.toLowerCase() : target
    if (seen.has(key)) throw new DojangError('INVALID_INPUT', `${path.basename(target)} appears twice in one change.`, { path: target })
    seen.add(key)
    if (own.some((d) => target.startsWith(d))) throw new DojangError('INVALID_INPUT', "Dojang's own backups and journals cannot be changed this way.", { path: target })
    out.push({ target, data: c.data, mode: c.mode })
  }
  // Fail before taking a backup when a folder is missing (a USB drive that was pulled, a moved folder).
  for (const dir of new Set(out.map((p) => path.dirname(p.target)))) {
    const st = await step(dir, 'find the folder', () => fsp.stat(dir))
    if (!st.isDirectory()) throw new DojangError('NOT_FOUND', `${path.basename(dir)} is not a folder.`, { path: dir })
  }
  return out
}

/** Current bytes of a target, or null when it does not exist. */
async function readCurrent(target: string): Promise<Uint8Array | null> {
  try {
    return await readFileSafe(target, MAX_REPLACE_BYTES)
  } catch (e) {
    if (isDojangError(e, 'NOT_FOUND')) return null
    throw e
  }
}

/**
 * Replaces several files all-or-nothing (for example signPri.key and kmPri.key of one certificate):
 *
 * 1. copy the current bytes of every existing target into a staged backup folder with a manifest, fsynced;
 * 2. journal `prepared`;
 * 3. every new file as a fsynced temp beside its target; check no target changed since step 1;
 * 4. publish the backup under its id, journal `committing` (the commit point);
 * 5. rename each temp over its target (or delete), fsync the folders;
 * 6. remove the journal. The backup stays until the user empties it.
 *
 * A failure before 4 removes temps, backup and journal: nothing changed. A failure during 5 while this process is
 * alive rolls back from the backup, so that the caller's error means "nothing changed". Rolling back writes files;
 * when that is impossible (a full disk) the change is rolled forward instead, which needs only renames, and
 * replaceFiles succeeds. If neither works the journal stays and the next start settles it. A crash after 4 is rolled
 * forward by recoverJournals (the new files were complete and fsynced before the mark).
 */
export async function replaceFiles(dataDir: string, changes: FileChange[], opts: ReplaceOptions = {}): Promise<{ backupId: string }> {
  const io = opts.io ?? nodeIo
  const planned = await plan(dataDir, changes)
  await step(journalDir(dataDir), "create Dojang's data folder", () => ensurePrivateDir(io, journalDir(dataDir)))
  const release = await acquireLock(dataDir)
  try {
    return await transact(io, dataDir, planned, opts)
  } finally {
    await release()
  }
}

async function transact(io: FsIo, dataDir: string, planned: Planned[], opts: ReplaceOptions): Promise<{ backupId: string }> {
  const faults = opts.faults ?? {}
  const now = new Date()
  const backupId = newBackupId(now)
  const journal: Journal = { version: 1, backupId, state: 'prepared', reason: opts.reason ?? 'replace-files', createdAt: now.toISOString(), entries: [] }
  let backupDir = stagedBackupPath(dataDir, backupId)
  let journalWritten = false

  try {
    // (1) Backup.
    faultPoint('replace.backup', 'before', backupDir)
    await step(backupsDir(dataDir), 'create the backup folder', async () => {
      await ensurePrivateDir(io, backupsDir(dataDir))
      await ensurePrivateDir(io, backupDir)
    })
    const files: Manifest['files'] = []
    for (const [i, p] of planned.entries()) {
      const name = path.basename(p.target)
      const old = await readCurrent(p.target)
      const existing = old ? await statForReplace(p.target) : undefined
      // The index keeps two targets with one name (signPri.key in two folders) apart.
      const backupFile = old ? `${i}-${name}` : null
      if (old && backupFile) {
        await step(p.target, `back up ${name}`, () => writeNewFile(io, path.join(backupDir, backupFile), old, FILE_MODE))
      }
      const entry: JournalEntry = {
        target: p.target,
        temp: tempPathFor(p.target),
        backupFile,
        oldSha256: old ? sha256Hex(old) : null,
        newSha256: p.data ? sha256Hex(p.data) : null,
        mode: p.mode ?? existing?.mode ?? FILE_MODE,
      }
      journal.entries.push(entry)
      files.push({ path: p.target, backupFile, size: old ? old.length : null, oldSha256: entry.oldSha256, newSha256: entry.newSha256 })
    }
    const manifest: Manifest = { version: 1, backupId, reason: journal.reason, createdAt: journal.createdAt, files }
    // Atomic, and its folder fsync also makes the backup files' names durable.
    await writeFileAtomic(path.join(backupDir, MANIFEST), encodeJson(manifest), { mode: FILE_MODE, io, action: 'save the backup description' })
    reach(faults, 'afterBackup', backupDir)

    // (2) Journal: from here on a crash is cleaned up by recoverJournals.
    await writeJournal(io, dataDir, journal)
    journalWritten = true

    // (3) New bytes beside their targets.
    for (const [i, p] of planned.entries()) {
      const entry = journal.entries[i]!
      if (!p.data) continue
      const data = p.data
      const owner = (await statForReplace(p.target))?.owner
      await step(p.target, `write the new ${path.basename(p.target)}`, () => writeNewFile(io, entry.temp, data, entry.mode, owner))
    }
    reach(faults, 'afterTempWrite', dataDir)

    // Another program may have written a target since step 1; replacing it would lose bytes the backup lacks.
    for (const entry of journal.entries) {
      const current = await readCurrent(entry.target)
      if ((current ? sha256Hex(current) : null) !== entry.oldSha256) {
        throw new DojangError('CONFLICT', `${path.basename(entry.target)} was changed by another program during the operation.`, { path: entry.target })
      }
    }

    // (4) Commit point: publish the backup, then mark the journal.
    const finalDir = backupPath(dataDir, backupId)
    await step(finalDir, 'save the backup', async () => {
      await renameRetrying(io, backupDir, finalDir)
      backupDir = finalDir
      await syncDir(io, backupsDir(dataDir))
    })
    faultPoint('replace.commit', 'before', dataDir)
    await writeJournal(io, dataDir, { ...journal, state: 'committing' })
  } catch (e) {
    const err = mapFsError(e, journal.entries[0]?.target ?? dataDir, 'prepare the change')
    await abortBeforeCommit(io, dataDir, journal, backupDir, journalWritten)
    throw withNote(err, 'Nothing was changed.', { changed: false })
  }

  // (5) Renames.
  try {
    reach(faults, 'afterCommitMark', dataDir)
    let first = true
    for (const entry of journal.entries) {
      await applyEntry(io, entry)
      if (first) reach(faults, 'afterFirstRename', entry.target)
      first = false
    }
    await syncTargetDirs(io, journal)
  } catch (e) {
    const err = mapFsError(e, journal.entries[0]!.target, 'replace the files')
    let outcome: SettleOutcome
    try {
      outcome = await settleCommitted(io, dataDir, { ...journal, state: 'committing' }, 'back')
    } catch (settleError) {
      throw withNote(err, `The previous files are kept in backup ${backupId}; Dojang will finish the change or put them back the next time it starts.`, {
        backupId,
        settled: false,
        settleError: settleError instanceof Error ? settleError.message : String(settleError),
      })
    }
    if (outcome === 'rolled-back') throw withNote(err, 'The previous files were put back; nothing was changed.', { backupId, rolledBack: true, changed: false })
    // Putting back was impossible (it needs space; a full disk), but every new file was ready and is now in place:
    // the change the caller asked for is complete and verified, so it is reported as done.
  }

  // (6) Done. If removing the journal fails, the next start finds every target new and just removes it.
  await unlinkIfExists(io, journalPath(dataDir, backupId))
    .then(() => syncDir(io, journalDir(dataDir)))
    .catch(() => undefined)
  return { backupId }
}

async function applyEntry(io: FsIo, entry: JournalEntry): Promise<void> {
  const name = path.basename(entry.target)
  if (entry.newSha256 === null) await step(entry.target, `delete ${name}`, () => unlinkIfExists(io, entry.target))
  else await step(entry.target, `replace ${name}`, () => renameRetrying(io, entry.temp, entry.target))
}

async function syncTargetDirs(io: FsIo, journal: Journal): Promise<void> {
  for (const dir of new Set(journal.entries.map((e) => path.dirname(e.target)))) {
    await step(dir, 'save the folder', () => syncDir(io, dir))
  }
}

/** Undo of steps 1–4 when the targets were never touched. Journal last, so a half-done clean-up is finished at start. */
async function abortBeforeCommit(io: FsIo, dataDir: string, journal: Journal, backupDir: string, journalWritten: boolean): Promise<void> {
  let clean = true
  for (const entry of journal.entries) {
    try {
      await unlinkIfExists(io, entry.temp)
    } catch {
      clean = false
    }
  }
  await fsp.rm(backupDir, { recursive: true, force: true }).catch(() => {
    clean = false
  })
  if (journalWritten && clean) await removeQuietly(io, journalPath(dataDir, journal.backupId))
}

// ---- Settling an interrupted transaction (shared by the live roll-back and recoverJournals) ----

export type SettleOutcome = 'rolled-forward' | 'rolled-back' | 'discarded'

type Seen = string | null // sha256 of the bytes on disk, null when absent

async function hashOf(file: string): Promise<Seen> {
  const bytes = await readCurrent(file)
  return bytes ? sha256Hex(bytes) : null
}

/** Hash of every target and temp; refuses to judge when a target's folder is gone (a disconnected drive). */
async function inspect(journal: Journal): Promise<Array<{ target: Seen; temp: Seen }>> {
  const out = []
  for (const entry of journal.entries) {
    const dir = path.dirname(entry.target)
    try {
      await fsp.stat(dir)
    } catch (e) {
      throw mapFsError(e, dir, 'reach the folder of an interrupted change (is the drive connected?)')
    }
    out.push({ target: await hashOf(entry.target), temp: await hashOf(entry.temp) })
  }
  return out
}

function conflict(entry: JournalEntry): DojangError {
  return new DojangError(
    'CONFLICT',
    `${path.basename(entry.target)} holds bytes that are neither the old nor the new version of an interrupted change; Dojang left it as it is.`,
    { path: entry.target },
  )
}

/**
 * Completes a committed transaction. Returns false, touching nothing, when it cannot be completed (a temp is missing
 * or damaged); the caller then rolls back.
 */
export async function rollForward(io: FsIo, journal: Journal): Promise<boolean> {
  const seen = await inspect(journal)
  for (const [i, entry] of journal.entries.entries()) {
    const { target, temp } = seen[i]!
    if (target !== null && target !== entry.oldSha256 && target !== entry.newSha256) throw conflict(entry)
    if (entry.newSha256 === null) continue
    const ready = temp === entry.newSha256 || (temp === null && target === entry.newSha256)
    if (!ready) return false
  }
  for (const [i, entry] of journal.entries.entries()) {
    if (entry.newSha256 === null || seen[i]!.temp !== null) await applyEntry(io, entry)
  }
  await syncTargetDirs(io, journal)
  for (const entry of journal.entries) {
    if ((await hashOf(entry.target)) !== entry.newSha256) {
      throw new DojangError('IO_ERROR', `${path.basename(entry.target)} does not hold the expected bytes after completing an interrupted change.`, { path: entry.target })
    }
  }
  return true
}

async function findBackupDir(dataDir: string, backupId: string): Promise<string> {
  for (const dir of [backupPath(dataDir, backupId), stagedBackupPath(dataDir, backupId)]) {
    if (await fsp.stat(dir).then(() => true, () => false)) return dir
  }
  return backupPath(dataDir, backupId)
}

/**
 * Puts every target back to its old bytes (or absence) from the backup. All the old bytes are written to temps
 * first and renamed only when every one is ready: if writing fails (a full disk), those temps are removed and the
 * targets and the new temps are as they were, so rolling forward stays possible.
 */
export async function rollBack(io: FsIo, dataDir: string, journal: Journal): Promise<void> {
  const seen = await inspect(journal)
  journal.entries.forEach((entry, i) => {
    const { target } = seen[i]!
    if (target !== null && target !== entry.oldSha256 && target !== entry.newSha256) throw conflict(entry)
  })
  const dir = await findBackupDir(dataDir, journal.backupId)
  // Entries whose target is not old were applied: their journaled temp name is free again (or holds a torn copy
  // from an earlier attempt) and carries the old bytes back. The others keep their temps until the end.
  const applied = journal.entries.filter((entry, i) => seen[i]!.target !== entry.oldSha256)
  const prepared: string[] = []
  try {
    for (const entry of applied) {
      if (entry.oldSha256 === null || entry.backupFile === null) continue
      const name = path.basename(entry.target)
      const saved = await readFileSafe(path.join(dir, entry.backupFile), MAX_REPLACE_BYTES)
      if (sha256Hex(saved) !== entry.oldSha256) {
        throw new DojangError('CORRUPT_FILE', `The backup copy of ${name} is damaged, so it was not put back.`, { path: path.join(dir, entry.backupFile) })
      }
      const owner = (await statForReplace(entry.target))?.owner
      await step(entry.target, `put back ${name}`, async () => {
        await unlinkIfExists(io, entry.temp)
        prepared.push(entry.temp)
        await writeNewFile(io, entry.temp, saved, entry.mode, owner)
      })
    }
  } catch (e) {
    for (const temp of prepared) await removeQuietly(io, temp)
    throw e
  }
  for (const entry of applied) {
    const name = path.basename(entry.target)
    if (entry.oldSha256 === null) await step(entry.target, `remove ${name}`, () => unlinkIfExists(io, entry.target))
    else await step(entry.target, `put back ${name}`, () => renameRetrying(io, entry.temp, entry.target))
  }
  for (const entry of journal.entries) {
    await step(entry.temp, `remove a temporary copy of ${path.basename(entry.target)}`, () => unlinkIfExists(io, entry.temp))
  }
  await syncTargetDirs(io, journal)
  for (const entry of journal.entries) {
    if ((await hashOf(entry.target)) !== entry.oldSha256) {
      throw new DojangError('IO_ERROR', `${path.basename(entry.target)} does not hold its previous bytes after putting it back.`, { path: entry.target })
    }
  }
}

/** Removes temps (never created ones are fine), then the backup and journal of a transaction that did not commit. */
export async function discard(io: FsIo, dataDir: string, journal: Journal): Promise<string[]> {
  const leftovers: string[] = []
  for (const entry of journal.entries) {
    try {
      await fsp.stat(path.dirname(entry.temp))
      await unlinkIfExists(io, entry.temp)
    } catch {
      // A temp on a drive that is not connected cannot be removed now; it holds only a copy of the new bytes.
      leftovers.push(entry.temp)
    }
  }
  await finish(io, dataDir, journal, 'discarded')
  return leftovers
}

/**
 * Closes a settled transaction. A roll-back or discard restored the old state, so its backup duplicates what is on
 * disk and goes too (the list shows only changes that happened); a roll-forward keeps it.
 */
export async function finish(io: FsIo, dataDir: string, journal: Journal, outcome: SettleOutcome): Promise<void> {
  if (outcome !== 'rolled-forward') {
    for (const dir of [backupPath(dataDir, journal.backupId), stagedBackupPath(dataDir, journal.backupId)]) {
      await step(dir, 'remove an unused backup', () => fsp.rm(dir, { recursive: true, force: true }))
    }
  }
  await step(journalPath(dataDir, journal.backupId), 'remove a finished journal', () => unlinkIfExists(io, journalPath(dataDir, journal.backupId)))
  await syncDir(io, journalDir(dataDir)).catch(() => undefined)
}

/**
 * Brings a transaction past its commit point to one whole set. `prefer` is tried first, the other direction if it
 * fails: at start roll forward is preferred (the new files were complete before the mark); in the live process
 * roll back is (its caller reports an error, which should mean "nothing changed").
 */
export async function settleCommitted(io: FsIo, dataDir: string, journal: Journal, prefer: 'forward' | 'back'): Promise<'rolled-forward' | 'rolled-back'> {
  if (prefer === 'forward' && (await rollForward(io, journal))) {
    await finish(io, dataDir, journal, 'rolled-forward')
    return 'rolled-forward'
  }
  const rolling: Journal = { ...journal, state: 'rollback' }
  // Recorded first so that a crash while rolling back resumes the roll-back. If the write fails (a full disk),
  // the hash checks in rollForward and rollBack still lead any later run to one whole set.
  if (journal.state !== 'rollback') await writeJournal(io, dataDir, rolling).catch(() => undefined)
  try {
    await rollBack(io, dataDir, rolling)
  } catch (e) {
    if (prefer === 'back' && (await rollForward(io, journal).catch(() => false))) {
      await finish(io, dataDir, journal, 'rolled-forward')
      return 'rolled-forward'
    }
    throw e
  }
  await finish(io, dataDir, rolling, 'rolled-back')
  return 'rolled-back'
}

/** Settles one journal read at start; throws (journal kept) when it cannot be settled now. */
export async function settle(io: FsIo, dataDir: string, journal: Journal): Promise<{ outcome: SettleOutcome; leftovers: string[] }> {
  if (journal.state === 'prepared') return { outcome: 'discarded', leftovers: await discard(io, dataDir, journal) }
  return { outcome: await settleCommitted(io, dataDir, journal, journal.state === 'committing' ? 'forward' : 'back'), leftovers: [] }
}
