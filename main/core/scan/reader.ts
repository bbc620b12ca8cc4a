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

/**
 * open + fstat + read + close. The fstat of the open file gives the size and mtime the cache is keyed on, so a
 * file changed after the stat is stored under its old stat and simply re-read next time.
 */
function readAsync(path: string): Promise<{ bytes: Uint8Array; size: number; mtimeMs: number }> {
  return new Promise((resolve, reject) => {
    fs.open(path, OPEN_FLAGS, (err, fd) => {
      if (err) return reject(err)
      const fail = (e: unknown) => fs.close(fd, () => reject(e))
      fs.fstat(fd, (err2, st) => {
        if (err2) return fail(err2)
        if (!st.isFile()) return fail(new NotRegular())
        if (st.size > MAX_FILE_BYTES) return fail(new TooLarge())
        const buf = new Uint8Array(st.size)
        const done = (total: number) => {
          // The close is not awaited: nothing depends on it.
          fs.close(fd, () => undefined)
          resolve({ bytes: total === buf.length ? buf : buf.subarray(0, total), size: st.size, mtimeMs: st.mtimeMs })
        }
        const readFrom = (offset: number) => {
          if (offset >= buf.length) return done(offset)
          fs.read(fd, buf, offset, buf.length - offset, offset, (err3, n) => {
            if (err3) return fail(err3)
            if (n === 0) return done(offset) // shrank since the fstat
            readFrom(offset + n)
          })
        }
        readFrom(0)
      })
    })
  })
}

function fileProblem(path: string, e: unknown): ScanProblem {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1)
  if (e instanceof NotRegular) return { path, code: 'CORRUPT_FILE', message: `${name} is not a regular file, so it cannot be a certificate or key file.` }
  if (e instanceof TooLarge) return { path, code: 'CORRUPT_FILE', message: `${name} is too large to be a certificate or key file.` }
  const p = describeFsError(path, e as NodeJS.ErrnoException, 'IO_ERROR')
  return { ...p, message: p.message.replace(/^Not read/, `Could not read ${name}`) }
}
