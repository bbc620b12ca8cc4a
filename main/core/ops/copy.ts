/**
 * Copy and move of one certificate between stores (disk, removable, keychain, …).
 *
 * A copy is read, written through the destination store (which refuses to replace silently: CONFLICT unless
 * `overwrite`, and an overwrite keeps the replaced files in fsx backups), then read back and compared file by file
 * (sha256). A move is a verified copy followed by moveToTrash of the source, so the source's bytes stay restorable
 * and `undoMove` can put everything back.
 */
import { realpath } from 'node:fs/promises'
import path from 'node:path'
import { DojangError } from '../../../common/errors'
import { bundleDifferences, checkBundle } from '../stores/bundle'
import type { BundleFile, CopyRef, Store } from '../stores/types'
import { requireReadableKeys } from './password'
import { moveToTrash, restoreFromTrash, type TrashEntry } from './trash'

export interface CopyOptions {
  /** Replace a certificate with the same subject at the destination (the old files go to fsx backups). */
  overwrite?: boolean
}

function sameStore(a: Store, b: Store): boolean {
  return a.medium === b.medium && a.id === b.id
}

/** Whether two locations are one folder (also through a symlinked root or another spelling of the same path). */
async function samePlace(a: string, b: string): Promise<boolean> {
  if (!path.isAbsolute(a) || !path.isAbsolute(b)) return a === b
  const [ra, rb] = await Promise.all([realpath(a).catch(() => path.resolve(a)), realpath(b).catch(() => path.resolve(b))])
  return ra === rb
}

async function verifyAt(to: Store, ref: CopyRef, expected: BundleFile[]): Promise<void> {
  const back = await to.read(ref.location)
  const problems = bundleDifferences(expected, back.files)
  if (problems.length) {
    // The destination is left as it is (it may be an overwrite whose old files are in the backups); the source is
    // untouched, so nothing is lost.
    throw new DojangError('IO_ERROR', `The copy in ${ref.label} does not match the original; the original was left in place.`, {
      location: ref.location,
      problems: problems.join('; '),
    })
  }
}

async function copyVerified(dataDir: string, from: Store, location: string, to: Store, opts: CopyOptions): Promise<{ ref: CopyRef; files: BundleFile[] }> {
  if (typeof dataDir !== 'string' || !dataDir) throw new DojangError('INVALID_INPUT', "Dojang's data folder was not given.")
  if (sameStore(from, to)) {
    throw new DojangError('INVALID_INPUT', 'The source and the destination are the same place.', { storeId: to.id })
  }
  // A token lists only certificates: copying one out would make a folder without its key.
  requireReadableKeys(from)
  const files = checkBundle(await from.read(location))
  const ref = await to.write({ files }, { dataDir, overwrite: opts.overwrite === true })
  await verifyAt(to, ref, files)
  return { ref, files }
}

/** Copies one certificate and returns where the copy is. The source is never changed. */
export async function copyCertificate(dataDir: string, from: Store, location: string, to: Store, opts: CopyOptions = {}): Promise<CopyRef> {
  return (await copyVerified(dataDir, from, location, to, opts)).ref
}

export interface MoveResult {
  /** The new copy at the destination. */
  copy: CopyRef
  /** The source, as saved in Dojang's trash. */
  trash: TrashEntry
}

/** Copy, verify, then move the source to Dojang's trash (so the move can be undone). */
export async function moveCertificate(dataDir: string, from: Store, location: string, to: Store, opts: CopyOptions = {}): Promise<MoveResult> {
  const { ref } = await copyVerified(dataDir, from, location, to, opts)
  // Two stores over one folder (a symlinked root): trashing the "source" would delete the only copy.
  if (await samePlace(ref.location, location)) {
    throw new DojangError('INVALID_INPUT', 'The destination is the same folder as the source; nothing was moved.', { location })
  }
  const trash = await moveToTrash(dataDir, from, location)
  return { copy: ref, trash }
}

/**
 * Undoes a move: the source comes back from the trash first (so one copy exists at every moment), then the
 * destination copy goes to the trash — but only if it still holds the moved bytes; a copy changed since is kept.
 * If the move had replaced an older certificate at the destination, that one is in fsx backups (restoreBackup).
 */
export async function undoMove(dataDir: string, moved: MoveResult, from: Store, to: Store): Promise<{ restored: CopyRef; destinationTrashed: boolean }> {
  const restored = await restoreFromTrash(dataDir, moved.trash.id, from)
  let unchanged = false
  try {
    const [src, dest] = await Promise.all([from.read(restored.location), to.read(moved.copy.location)])
    unchanged = bundleDifferences(src.files, dest.files).length === 0
  } catch {
    unchanged = false
  }
  if (unchanged) await moveToTrash(dataDir, to, moved.copy.location)
  return { restored, destinationTrashed: unchanged }
}
