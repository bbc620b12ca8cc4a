import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { isDojangError, type ErrorCode } from '../../../common/errors'
import { errnoOf, mapFsError } from './errors'
import { ensurePrivateDir, nodeIo } from './io'
import { acquireLock, isLockLeftover } from './lock'
import { journalSchema, parseJson, type Journal } from './records'
import { backupsDir, isDojangTempName, journalDir } from './paths'
import { settle } from './txn'

export type RecoveryOutcome =
  | 'rolled-forward' // a committed change was completed: the targets hold the new bytes
  | 'rolled-back' // a change could not be completed and was undone from its backup
  | 'discarded' // a change interrupted before its commit point: the targets were never touched
  | 'orphan-removed' // a half-written backup of a change that never reached its journal
  | 'unreadable' // the journal cannot be read; nothing was touched and it is kept for a person to look at
  | 'failed' // settling failed now (e.g. the drive is not connected); the journal is kept for the next start

export interface RecoveryReport {
  backupId: string
  outcome: RecoveryOutcome
  journal?: string
  /** The interrupted operation ("change-password"), when the journal could be read. */
  reason?: string
  /** The files the interrupted operation was changing. */
  files: string[]
  /** Temps that could not be removed (their folder is not reachable); harmless copies. */
  leftovers?: string[]
  error?: { code: ErrorCode; message: string }
}

const JOURNAL_FILE = /^(.+)\.json$/
const SIDE_DIR = /^\.(.+)\.(partial|deleting)$/

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.stat(p)
    return true
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return false
    throw mapFsError(e, p, "read Dojang's data folder")
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir)).sort()
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return []
    throw mapFsError(e, dir, "read Dojang's data folder")
  }
}

/**
 * Settles every interrupted file change. Run at every start, before anything reads certificate files. Idempotent:
 * each step can be interrupted and run again. Journals that cannot be settled now stay for the next run and are
 * reported; a folder that cannot be read at all throws.
 */
export async function recoverJournals(dataDir: string): Promise<RecoveryReport[]> {
  const jdir = journalDir(dataDir)
  const bdir = backupsDir(dataDir)
  if (!(await exists(jdir)) && !(await exists(bdir))) return []
  await ensurePrivateDir(nodeIo, jdir).catch((e: unknown) => {
    throw mapFsError(e, jdir, "create Dojang's journal folder")
  })
  const release = await acquireLock(dataDir)
  try {
    const reports: RecoveryReport[] = []
    for (const name of await readdirOrEmpty(jdir)) {
      const m = JOURNAL_FILE.exec(name)
      if (m && !name.startsWith('.')) reports.push(await recoverOne(dataDir, path.join(jdir, name), m[1]!))
      else if (isDojangTempName(name) || isLockLeftover(name)) {
        // A journal write or lock take-over cut short; the real journal, if any, is the renamed file.
        await fsp.unlink(path.join(jdir, name)).catch(() => undefined)
      }
    }
    // Side folders of backups: staged ones whose journal was never written, and half-emptied ones.
    const pending = new Set((await readdirOrEmpty(jdir)).map((n) => JOURNAL_FILE.exec(n)?.[1]).filter((id) => id !== undefined))
    for (const name of await readdirOrEmpty(bdir)) {
      const m = SIDE_DIR.exec(name)
      if (!m || pending.has(m[1]!)) continue
      await fsp.rm(path.join(bdir, name), { recursive: true, force: true }).catch(() => undefined)
      if (m[2] === 'partial') reports.push({ backupId: m[1]!, outcome: 'orphan-removed', files: [] })
    }
    return reports
  } finally {
    await release()
  }
}

async function recoverOne(dataDir: string, file: string, id: string): Promise<RecoveryReport> {
  let journal: Journal
  try {
    journal = parseJson(await fsp.readFile(file), journalSchema)
    if (journal.backupId !== id) throw new Error('journal name and content disagree')
  } catch (e) {
    return {
      backupId: id,
      journal: file,
      outcome: 'unreadable',
      files: [],
      error: { code: isDojangError(e) ? e.code : 'CORRUPT_FILE', message: `The journal ${path.basename(file)} cannot be read; it and the files it may name were left as they are.` },
    }
  }
  const base = { backupId: id, journal: file, reason: journal.reason, files: journal.entries.map((e) => e.target) }
  try {
    const { outcome, leftovers } = await settle(nodeIo, dataDir, journal)
    return leftovers.length ? { ...base, outcome, leftovers } : { ...base, outcome }
  } catch (e) {
    const err = mapFsError(e, journal.entries[0]!.target, 'finish an interrupted change')
    return { ...base, outcome: 'failed', error: { code: err.code, message: err.message } }
  }
}
