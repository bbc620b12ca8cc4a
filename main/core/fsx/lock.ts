import { createHash, randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DojangError } from '../../../common/errors'
import { errnoOf, mapFsError } from './errors'
import { journalDir } from './paths'

/**
 * One writer per data folder. The app and the `dojang` command may run at the same time, and recovery at one's start
 * must never roll back or delete the temps of an operation the other is still running. The lock is a file created
 * with O_EXCL that names its owner; a lock whose owner is gone (crash, SIGKILL) is taken over.
 */

export const LOCK_NAME = '.lock'
const STALE_AGE_MS = 10 * 60_000 // no transaction of a few small files lasts this long; covers pid reuse
const TORN_AGE_MS = 5_000 // a Windows lock file without readable content is being written, or its writer died
const held = new Set<string>() // tokens of locks this process holds

// On POSIX the lock is a symlink whose target is "<pid>:<token>:<host tag>": creating it is atomic and, being
// short, it lives in the inode, so recovery can lock a completely full disk and still roll forward (renames need
// no space). Windows needs privileges for symlinks, so there it is a small file created with O_EXCL.
const useSymlink = process.platform !== 'win32'
const hostTag = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8)

interface LockBody {
  pid: number
  token: string
  host: string
}

const encode = (b: LockBody): string => `${b.pid}:${b.token}:${b.host}`
function decode(raw: string): LockBody | undefined {
  const m = /^(\d+):([0-9a-f]+):([0-9a-f]+)$/.exec(raw)
  return m ? { pid: Number(m[1]), token: m[2]!, host: m[3]! } : undefined
}

export type Release = () => Promise<void>

export interface LockOptions {
  /** Another lock file than the writers' lock (e.g. the scan lock, scan/scanLock.ts). Its folder must exist. */
  file?: string
  /** The CONFLICT message when the lock stays held past the timeout. */
  busyMessage?: string
  /**
   * Refreshes the lock's mtime this often while it is held, for holders that may run longer than the stale age
   * (a machine-wide scan): a live holder is then never taken for a dead one.
   */
  heartbeatMs?: number
}

export async function acquireLock(dataDir: string, timeoutMs = 15_000, opts: LockOptions = {}): Promise<Release> {
  const file = opts.file ?? path.join(journalDir(dataDir), LOCK_NAME)
  const token = randomBytes(8).toString('hex')
  const body = encode({ pid: process.pid, token, host: hostTag })
  const deadline = Date.now() + timeoutMs
  for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
    if (await tryCreate(file, body)) {
      held.add(token)
      if (opts.heartbeatMs === undefined) return () => release(file, token)
      const timer = setInterval(() => void touch(file), opts.heartbeatMs)
      timer.unref()
      return () => {
        clearInterval(timer)
        return release(file, token)
      }
    }
    const stale = await staleContent(file)
    if (stale !== undefined) {
      await breakLock(file, stale)
      continue
    }
    if (Date.now() > deadline) {
      throw new DojangError('CONFLICT', opts.busyMessage ?? 'Another Dojang window or command is changing certificate files right now. Wait until it finishes, then try again.', { path: file })
    }
    await new Promise((r) => setTimeout(r, pause))
  }
}

/** Marks a held lock as alive (its age is what makes a lock of another host, or of a reused pid, stale). */
async function touch(file: string): Promise<void> {
  const now = new Date()
  try {
    if (useSymlink) await fsp.lutimes(file, now, now)
    else await fsp.utimes(file, now, now)
  } catch {
    // Gone or not ours to touch: the next acquire decides.
  }
}

async function tryCreate(file: string, content: string): Promise<boolean> {
  try {
    if (useSymlink) {
      await fsp.symlink(content, file)
      return true
    }
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false
    throw mapFsError(e, file, "lock Dojang's data folder")
  }
  let handle
  try {
    handle = await fsp.open(file, 'wx', 0o600)
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false
    throw mapFsError(e, file, "lock Dojang's data folder")
  }
  try {
    await handle.writeFile(content)
    await handle.close()
    return true
  } catch (e) {
    // A full disk can create the inode but not its content: never leave an empty lock behind.
    await handle.close().catch(() => undefined)
    await fsp.unlink(file).catch(() => undefined)
    throw mapFsError(e, file, "lock Dojang's data folder")
  }
}

async function readLock(file: string): Promise<string> {
  try {
    return await fsp.readlink(file)
  } catch (e) {
    if (errnoOf(e) === 'EINVAL' || errnoOf(e) === 'UNKNOWN') return fsp.readFile(file, 'utf8') // a plain file
    throw e
  }
}

/** The lock's raw content when its owner is gone, '' when it vanished meanwhile, undefined while it is held. */
async function staleContent(file: string): Promise<string | undefined> {
  let raw: string
  let age: number
  try {
    raw = await readLock(file)
    age = Date.now() - (await fsp.lstat(file)).mtimeMs
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return ''
    throw mapFsError(e, file, "check the lock of Dojang's data folder")
  }
  const body = decode(raw)
  if (!body) return age > TORN_AGE_MS ? raw : undefined
  if (age > STALE_AGE_MS) return raw
  if (body.host !== hostTag) return undefined // cannot ask another machine; wait for the age limit
  // Our own pid but a token we do not hold: a previous run that had the same pid (common in containers).
  if (body.pid === process.pid) return held.has(body.token) ? undefined : raw
  try {
    process.kill(body.pid, 0)
    return undefined
  } catch (e) {
    return errnoOf(e) === 'ESRCH' ? raw : undefined // EPERM: alive, owned by someone else
  }
}

/**
 * Moves the stale lock aside rather than unlinking it, so that two processes breaking it at once cannot delete the
 * fresh lock one of them has just taken: only one rename of the old lock succeeds, and a mistaken grab is put back.
 */
async function breakLock(file: string, staleRaw: string): Promise<void> {
  if (staleRaw === '') return
  const aside = `${file}.stale-${randomBytes(4).toString('hex')}`
  try {
    await fsp.rename(file, aside)
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return
    throw mapFsError(e, file, "take over the lock of Dojang's data folder")
  }
  const got = await readLock(aside).catch(() => staleRaw)
  if (got !== staleRaw) await tryCreate(file, got).catch(() => false)
  await fsp.unlink(aside).catch(() => undefined)
}

async function release(file: string, token: string): Promise<void> {
  held.delete(token)
  try {
    if (decode(await readLock(file))?.token === token) await fsp.unlink(file)
  } catch {
    // Gone or unreadable: nothing of ours to remove; a later start treats leftovers as stale.
  }
}

export const isLockLeftover = (name: string): boolean => name.startsWith(`${LOCK_NAME}.stale-`)
