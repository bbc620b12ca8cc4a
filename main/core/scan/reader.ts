/**
 * Getting the bytes (or the cached parse) of the small files of certificate folders, with node:fs callbacks on
 * the libuv pool: never a blocking call on the main event loop (an Electron main process must stay responsive,
 * and a slow USB stick or a hung network share can stall a read for long).
 *
 * Measured alternatives, kept out: synchronous reads on the main thread are about three times cheaper per file but
 * block the event loop; a reader worker thread with synchronous reads was slower on the two-core reference
 * machine, because the walk already keeps both cores busy and the worker only adds hand-offs.
 */
import * as fs from 'node:fs'
import { describeFsError } from './walk'
import type { ScanProblem } from './types'

/** Certificate and key files are a few KiB; anything larger is not one and is not read. */
export const MAX_FILE_BYTES = 1 << 20
const OPEN_FLAGS = fs.constants.O_RDONLY | (process.platform === 'win32' ? 0 : fs.constants.O_NONBLOCK)

export type Loaded<C> =
  | { kind: 'cached'; value: C }
  | { kind: 'bytes'; bytes: Uint8Array; size: number; mtimeMs: number }
  | { kind: 'error'; problem: ScanProblem }

export interface LoadHooks<C> {
  /** The cached value for exactly this path, size and mtime, if any. */
  lookup(path: string, size: number, mtimeMs: number): C | undefined
  /** Whether a cache entry may exist at all (false lets the async reader skip a stat). */
  mayHave(path: string): boolean
}

/** The seam through which certificate folders are read (an in-memory or remote source could plug in here). */
export interface FileSource {
  load<C>(paths: readonly string[], hooks: LoadHooks<C>): Promise<Loaded<C>[]>
  close(): void
}

// ---- async --------------------------------------------------------------------------------------------------

export function asyncSource(): FileSource {
  return {
    load: (paths, hooks) => Promise.all(paths.map((p) => loadAsync(p, hooks))),
    close: () => undefined,
  }
}

async function loadAsync<C>(path: string, hooks: LoadHooks<C>): Promise<Loaded<C>> {
  try {
    if (hooks.mayHave(path)) {
      // A stat is one round trip; reading is four. Rescans, the common case, only stat.
      const st = await new Promise<fs.Stats>((resolve, reject) => fs.lstat(path, (e, s) => (e ? reject(e) : resolve(s))))
      const hit = st.isFile() ? hooks.lookup(path, st.size, st.mtimeMs) : undefined
      if (hit !== undefined) return { kind: 'cached', value: hit }
    }
    const r = await readAsync(path)
    return { kind: 'bytes', ...r }
  } catch (e) {
    return { kind: 'error', problem: fileProblem(path, e) }
  }
}

class NotRegular extends Error {}
class TooLarge extends Error {}

/** Certificate and key files are 1–3 KiB: one read of this size gets all of a real one. */
const FIRST_READ = 16 * 1024

/**
 * open, then fstat and a first read side by side, then close (not awaited): three round trips through the
 * libuv pool instead of four, which is most of the cost of a certificate folder. The fstat of the open file gives
 * the size and mtime the cache is keyed on, so a file changed after it is stored under its old stat and simply
 * re-read next time. A file larger than the first read is read on to its size.
 */
function readAsync(path: string): Promise<{ bytes: Uint8Array; size: number; mtimeMs: number }> {
  return new Promise((resolve, reject) => {
    fs.open(path, OPEN_FLAGS, (err, fd) => {
      if (err) return reject(err)
      const first = new Uint8Array(FIRST_READ)
      let st: fs.Stats | undefined
      let got = -1
      let failure: unknown
      let pending = 2
      const fail = (e: unknown) => fs.close(fd, () => reject(e))
      const settle = () => {
        if (--pending > 0) return
        // The fstat decides first: a FIFO or device named signCert.der is refused whatever its read gave.
        if (st === undefined) return fail(failure)
        if (!st.isFile()) return fail(new NotRegular())
        if (st.size > MAX_FILE_BYTES) return fail(new TooLarge())
        if (failure !== undefined) return fail(failure)
        const size = st.size
        const mtimeMs = st.mtimeMs
        const done = (bytes: Uint8Array) => {
          fs.close(fd, () => undefined) // nothing depends on it
          resolve({ bytes, size, mtimeMs })
        }
        if (got >= size) return done(first.slice(0, got))
        // Larger than the first read (or a short read): read on up to the size.
        const buf = new Uint8Array(size)
        buf.set(first.subarray(0, got))
        const readFrom = (offset: number) => {
          if (offset >= buf.length) return done(buf)
          fs.read(fd, buf, offset, buf.length - offset, offset, (err3, n) => {
            if (err3) return fail(err3)
            if (n === 0) return done(buf.subarray(0, offset)) // shrank since the fstat
            readFrom(offset + n)
          })
        }
        readFrom(got)
      }
      fs.fstat(fd, (err2, s) => {
        if (err2) failure = err2
        else st = s
        settle()
      })
      fs.read(fd, first, 0, FIRST_READ, 0, (err3, n) => {
        if (err3) failure ??= err3
        else got = n
        settle()
      })
    })
  })
}

/** The problem for a failure reported by the worker reader (workerReader.ts): an error name or an errno code. */
export function fileProblemFor(path: string, err: string | undefined, code: string | undefined): ScanProblem {
  if (err === 'NotRegular') return fileProblem(path, new NotRegular())
  if (err === 'TooLarge') return fileProblem(path, new TooLarge())
  return fileProblem(path, Object.assign(new Error(code ?? 'IO'), { code }))
}

function fileProblem(path: string, e: unknown): ScanProblem {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1)
  if (e instanceof NotRegular) return { path, code: 'CORRUPT_FILE', message: `${name} is not a regular file, so it cannot be a certificate or key file.` }
  if (e instanceof TooLarge) return { path, code: 'CORRUPT_FILE', message: `${name} is too large to be a certificate or key file.` }
  const p = describeFsError(path, e as NodeJS.ErrnoException, 'IO_ERROR')
  return { ...p, message: p.message.replace(/^Not read/, `Could not read ${name}`) }
}
