import { createHash } from 'node:crypto'
import { constants, promises as fsp } from 'node:fs'
import path from 'node:path'
import { DojangError } from '../../../common/errors'
import { errnoOf, mapFsError } from './errors'
import { atFaultPoints } from './faults'
import { tempPathFor } from './paths'

/** The part of an open file that writers use; a Node FileHandle satisfies it. */
export interface WritableFile {
  write(data: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>
  chmod(mode: number): Promise<void>
  chown(uid: number, gid: number): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}

/**
 * Every call that changes the disk goes through this seam. Production code uses `nodeIo`; tests pass a wrapper per
 * call (never a global mock) to make the n-th write fail with ENOSPC or to pause a write halfway.
 */
export interface FsIo {
  open(file: string, flags: string, mode: number): Promise<WritableFile>
  rename(from: string, to: string): Promise<void>
  unlink(file: string): Promise<void>
  mkdir(dir: string, mode: number): Promise<string | undefined>
  /** fsync a directory so that a rename or unlink in it survives a power cut. */
  syncDir(dir: string): Promise<void>
}

/** A file handle whose writes and fsync are fault points (only while a test probe is installed). */
function probedFile(file: string, handle: WritableFile): WritableFile {
  return {
    write: (data, offset, length, position) => atFaultPoints('write', file, () => handle.write(data, offset, length, position)),
    chmod: (mode) => handle.chmod(mode),
    chown: (uid, gid) => handle.chown(uid, gid),
    sync: () => atFaultPoints('fsync', file, () => handle.sync()),
    close: () => handle.close(),
  }
}

export const nodeIo: FsIo = {
  open: async (file, flags, mode) => probedFile(file, await fsp.open(file, flags, mode)),
  rename: (from, to) => atFaultPoints('rename', to, () => fsp.rename(from, to)),
  unlink: (file) => atFaultPoints('unlink', file, () => fsp.unlink(file)),
  mkdir: (dir, mode) => atFaultPoints('mkdir', dir, () => fsp.mkdir(dir, { recursive: true, mode })),
  syncDir: (dir) =>
    atFaultPoints('syncDir', dir, async () => {
      const handle = await fsp.open(dir, 'r')
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
    }),
}

export const FILE_MODE = 0o600
export const DIR_MODE = 0o700

// Windows cannot open a directory for fsync (EISDIR/EPERM), some file systems refuse it (EINVAL/ENOTSUP). On those
// the rename is as durable as the platform allows.
const DIR_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'ENOTSUP', 'EBADF'])

export async function syncDir(io: FsIo, dir: string): Promise<void> {
  try {
    await io.syncDir(dir)
  } catch (e) {
    if (!DIR_SYNC_UNSUPPORTED.has(errnoOf(e) ?? '')) throw e
  }
}

// Antivirus and indexers on Windows hold files open for a moment; a rename over them fails with EPERM/EACCES/EBUSY.
const WINDOWS_TRANSIENT = new Set(['EPERM', 'EACCES', 'EBUSY'])

export async function renameRetrying(io: FsIo, from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await io.rename(from, to)
      return
    } catch (e) {
      if (process.platform !== 'win32' || attempt >= 8 || !WINDOWS_TRANSIENT.has(errnoOf(e) ?? '')) throw e
      await new Promise((r) => setTimeout(r, 25 * 2 ** Math.min(attempt, 4)))
    }
  }
}

export async function unlinkIfExists(io: FsIo, file: string): Promise<boolean> {
  try {
    await io.unlink(file)
    return true
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return false
    throw e
  }
}

/** Best effort, for clean-up paths where the original error matters more. */
export async function removeQuietly(io: FsIo, file: string): Promise<void> {
  try {
    await io.unlink(file)
  } catch {
    // Left for recovery or the user; the caller is already reporting a failure.
  }
}

/** Creates `dir` (and parents) private to the user and makes the new entries durable. */
export async function ensurePrivateDir(io: FsIo, dir: string): Promise<void> {
  const first = await io.mkdir(dir, DIR_MODE)
  if (first === undefined) return
  // The umask may have narrowed the mode but never widens it; chmod makes 0o700 exact.
  for (let d = dir; ; d = path.dirname(d)) {
    await fsp.chmod(d, DIR_MODE).catch(() => undefined)
    await syncDir(io, path.dirname(d))
    if (d === first || path.dirname(d) === d) break
  }
}

export interface Owner {
  uid: number
  gid: number
}

/** Permission bits and owner of an existing file, so a replacement keeps them; undefined when it does not exist. */
export async function statForReplace(target: string): Promise<{ mode: number; owner: Owner } | undefined> {
  try {
    const st = await fsp.stat(target)
    return { mode: st.mode & 0o7777, owner: { uid: st.uid, gid: st.gid } }
  } catch {
    return undefined
  }
}

/**
 * Writes a brand-new file (O_EXCL) completely and fsyncs it. Partial writes are retried; on failure the handle is
 * closed and the error rethrown raw so that the caller decides what to remove and how to word it.
 */
export async function writeNewFile(io: FsIo, file: string, data: Uint8Array, mode: number, owner?: Owner): Promise<void> {
  const handle = await io.open(file, 'wx', mode)
  try {
    let done = 0
    while (done < data.length) {
      const { bytesWritten } = await handle.write(data, done, data.length - done, done)
      if (bytesWritten <= 0) throw Object.assign(new Error(`short write to ${file}`), { code: 'EIO' })
      done += bytesWritten
    }
    // FAT/exFAT USB sticks mounted without 'quiet' refuse chmod (EPERM): the mode is a nicety there, the bytes are not.
    await handle.chmod(mode).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPERM' && e.code !== 'ENOTSUP' && e.code !== 'EOPNOTSUPP' && e.code !== 'ENOSYS') throw e
    })
    if (owner && process.platform !== 'win32' && owner.uid !== process.getuid?.()) {
      // Only root can give a file away (helpdesk mode editing another user's folder); otherwise keep our own.
      await handle.chown(owner.uid, owner.gid).catch(() => undefined)
    }
    await handle.sync()
  } catch (e) {
    await handle.close().catch(() => undefined)
    throw e
  }
  await handle.close()
}

/**
 * Replaces `file` so that readers see either the old or the new bytes, never a mix: temp in the same folder, write,
 * fsync, rename over the target, fsync the folder. The temp is removed on any failure. Without `mode` an existing
 * file keeps its permissions and a new one is private (0o600), since most files we write hold keys.
 * `action` words the error ("save the journal"); `io` is the test seam, which production callers leave out.
 */
export async function writeFileAtomic(file: string, data: Uint8Array, opts: { mode?: number; io?: FsIo; action?: string } = {}): Promise<void> {
  const io = opts.io ?? nodeIo
  const action = opts.action ?? `save ${path.basename(file)}`
  const existing = await statForReplace(file)
  const tmp = tempPathFor(file)
  try {
    await writeNewFile(io, tmp, data, opts.mode ?? existing?.mode ?? FILE_MODE, existing?.owner)
    await renameRetrying(io, tmp, file)
  } catch (e) {
    await removeQuietly(io, tmp)
    throw mapFsError(e, file, action)
  }
  try {
    await syncDir(io, path.dirname(file))
  } catch (e) {
    // The new bytes are in place but may not survive a power cut: say so rather than pretend.
    throw mapFsError(e, path.dirname(file), `${action} durably`)
  }
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/**
 * Reads a small file whole. Refuses what cannot be a key or certificate (a folder, a device, a FIFO that would block,
 * anything over `maxBytes`) with CORRUPT_FILE instead of reading it.
 */
export async function readFileSafe(file: string, maxBytes: number = 1 << 20): Promise<Uint8Array> {
  const name = path.basename(file)
  const action = `read ${name}`
  const notRegular = () => new DojangError('CORRUPT_FILE', `${name} is not a regular file, so it cannot be a certificate or key file.`, { path: file })
  const tooBig = (size: number) =>
    new DojangError('CORRUPT_FILE', `${name} is too large (${size} bytes) to be a certificate or key file.`, { path: file, size, maxBytes })
  let st
  try {
    st = await fsp.stat(file)
  } catch (e) {
    throw mapFsError(e, file, action)
  }
  if (!st.isFile()) throw notRegular()
  if (st.size > maxBytes) throw tooBig(st.size)
  // O_NONBLOCK: if the path was swapped for a FIFO after the stat, open must not hang.
  const flags = constants.O_RDONLY | (process.platform === 'win32' ? 0 : constants.O_NONBLOCK)
  let handle
  try {
    handle = await fsp.open(file, flags)
  } catch (e) {
    throw mapFsError(e, file, action)
  }
  try {
    const again = await handle.stat()
    if (!again.isFile()) throw notRegular()
    // Read one byte past the limit so that a file that grew since the stat is still refused.
    const buf = new Uint8Array(Math.min(again.size, maxBytes) + 1)
    let total = 0
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total, total)
      if (bytesRead === 0) break
      total += bytesRead
      if (total > maxBytes) throw tooBig(total)
      if (total === buf.length) break
    }
    return buf.slice(0, total)
  } catch (e) {
    throw mapFsError(e, file, action)
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/**
 * Relative path (with '/') → sha256 of every file under `dir`; symlinks map to `symlink:<target>`. Tests compare two
 * snapshots to prove that an operation left a folder's bytes unchanged.
 */
export async function snapshotDir(dir: string): Promise<Map<string, string>> {
  const out: Array<[string, string]> = []
  async function walk(abs: string, rel: string): Promise<void> {
    let entries
    try {
      entries = await fsp.readdir(abs, { withFileTypes: true })
    } catch (e) {
      throw mapFsError(e, abs, 'read the folder')
    }
    for (const entry of entries) {
      const childAbs = path.join(abs, entry.name)
      const childRel = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) await walk(childAbs, childRel)
      else if (entry.isSymbolicLink()) out.push([childRel, `symlink:${await fsp.readlink(childAbs)}`])
      else if (entry.isFile()) {
        try {
          out.push([childRel, sha256Hex(await fsp.readFile(childAbs))])
        } catch (e) {
          throw mapFsError(e, childAbs, 'read the file')
        }
      } else out.push([childRel, 'special'])
    }
  }
  await walk(dir, '')
  out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return new Map(out)
}
