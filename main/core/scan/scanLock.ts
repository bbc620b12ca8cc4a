/**
 * One scan at a time per data folder: a scheduled machine-wide run (`dojang scan --all-profiles --data-dir …`
 * from cron, launchd or the Task Scheduler) must not overlap the previous one, nor a scan the app runs on the same
 * inventory. The lock is the fsx lock (a symlink or O_EXCL file naming pid, token and host; a dead holder's lock
 * is taken over) under its own name, so a long scan never blocks a password change, which takes the writers' lock.
 *
 * It is refreshed every minute while held, so a scan that runs for hours is never mistaken for a crashed one.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { acquireLock, type Release } from '../fsx/lock'

export const SCAN_LOCK_NAME = 'scan.lock'
const HEARTBEAT_MS = 60_000

/**
 * Takes the scan lock of `dataDir` (created if missing). Throws `DojangError('CONFLICT')` when another scan holds
 * it after `waitMs` (default 0: a scheduled run exits at once, with the CLI's conflict exit code, and the next
 * run tries again). The returned function releases it; a crash leaves a lock the next run takes over.
 */
export async function acquireScanLock(dataDir: string, opts: { waitMs?: number } = {}): Promise<Release> {
  await mkdir(dataDir, { recursive: true })
  return acquireLock(dataDir, opts.waitMs ?? 0, {
    file: join(dataDir, SCAN_LOCK_NAME),
    heartbeatMs: HEARTBEAT_MS,
    busyMessage: 'Another Dojang scan is running for this data folder. It will finish on its own; try again later.',
  })
}

/** Runs `fn` holding the scan lock. */
export async function withScanLock<T>(dataDir: string, fn: () => Promise<T>, opts: { waitMs?: number } = {}): Promise<T> {
  const release = await acquireScanLock(dataDir, opts)
  try {
    return await fn()
  } finally {
    await release()
  }
}
