/** Small folder helpers for the stores and the trash; file contents always go through fsx. */
import { promises as fsp } from 'node:fs'
import { atFaultPoints, mapFsError } from '../fsx'

export function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

// Windows cannot open a folder for fsync and some file systems refuse it; there a rename is as durable as it gets.
const SYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'ENOTSUP', 'EBADF', 'EACCES'])

/** fsync a folder so that a new entry, rename or removal in it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  let handle
  try {
    handle = await fsp.open(dir, 'r')
    const h = handle
    await atFaultPoints('syncDir', dir, () => h.sync())
  } catch (e) {
    if (!SYNC_UNSUPPORTED.has(errnoOf(e) ?? '')) throw mapFsError(e, dir, 'save the folder')
  } finally {
    await handle?.close().catch(() => undefined)
  }
}

/** Windows antivirus and indexers briefly lock fresh files, which makes a folder rename fail with EPERM/EACCES. */
export async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await atFaultPoints('rename', to, () => fsp.rename(from, to))
      return
    } catch (e) {
      if (process.platform !== 'win32' || attempt >= 8 || !['EPERM', 'EACCES', 'EBUSY'].includes(errnoOf(e) ?? '')) throw e
      await new Promise((r) => setTimeout(r, 25 * 2 ** Math.min(attempt, 4)))
    }
  }
}

/** Creates one folder (not its parents); a fault point for the crash harness. */
export function makeDir(dir: string, mode: number): Promise<void> {
  return atFaultPoints('mkdir', dir, () => fsp.mkdir(dir, { mode }))
}

/** Removes a folder and everything in it, quietly when it is already gone; a fault point for the crash harness. */
export function removeTree(dir: string): Promise<void> {
  return atFaultPoints('remove', dir, () => fsp.rm(dir, { recursive: true, force: true }))
}
