/**
 * The directory walk under the scanner: a bounded number of `readdir(withFileTypes)` calls in flight, a depth
 * limit, no symlink following unless asked (and then a device+inode guard against loops), per-folder error
 * tolerance and prompt cancellation.
 *
 * Callback-style fs calls and a plain stack are used on purpose: on a 200,000-file tree they are about twice as
 * fast as promise-based readdir, and depth-first order keeps the pending list short (memory stays flat however
 * wide the tree is).
 */
import * as nodeFs from 'node:fs'
import type { Dirent, Stats } from 'node:fs'
import { sep } from 'node:path'
import type { ScanFs, ScanProblem, ScanProblemCode } from './types'

export interface WalkItem<T> {
  path: string
  depth: number
  data: T
}

export interface WalkChild<T> {
  name: string
  data: T
  /** The entry is a symbolic link: followed when `followSymlinks` is on, otherwise only checked and reported. */
  link?: boolean
}

export interface WalkOptions<T> {
  /** Called once per folder read, synchronously; returns the subfolders to read next. */
  visit(item: WalkItem<T>, entries: Dirent[]): readonly WalkChild<T>[] | undefined
  onProblem(problem: ScanProblem): void
  /** A link that is not followed turned out to point at a folder. */
  onLinkSkipped?(path: string, data: T): void
  concurrency: number
  maxDepth: number
  followSymlinks: boolean
  signal?: AbortSignal
  fs?: ScanFs
}

export const nodeScanFs: ScanFs = {
  readdir: (p, o, cb) => nodeFs.readdir(p, o, cb),
  stat: (p, cb) => nodeFs.stat(p, cb),
}

interface Pending<T> extends WalkItem<T> {
  /** Reached through a symlink that we follow: must pass the loop guard. */
  viaLink: boolean
}

/** Resolves `true` when the walk was cancelled. In-flight calls are abandoned, not awaited, so that a hung drive
 * cannot hold up cancellation. */
export function walk<T>(roots: readonly WalkItem<T>[], opts: WalkOptions<T>): Promise<boolean> {
  const fs = opts.fs ?? nodeScanFs
  const signal = opts.signal
  const stack: Pending<T>[] = roots.map((r) => ({ ...r, viaLink: false })).reverse()
  const seen = new Set<string>()
  const concurrency = Math.max(1, opts.concurrency)
  let active = 0
  let settled = false

  return new Promise<boolean>((resolve) => {
    const finish = (cancelled: boolean) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      resolve(cancelled)
    }
    const onAbort = () => finish(true)
    if (signal?.aborted) return finish(true)
    signal?.addEventListener('abort', onAbort, { once: true })

    const done = () => {
      active--
      if (settled) return
      if (signal?.aborted) return finish(true)
      pump()
    }

    const problem = (path: string, err: NodeJS.ErrnoException | null, fallback: ScanProblemCode, message?: string) => {
      const p = describeFsError(path, err, fallback)
      if (message !== undefined) p.message = message
      opts.onProblem(p)
    }

    const read = (item: Pending<T>) => {
      fs.readdir(item.path, { withFileTypes: true }, (err, entries) => {
        if (settled) return
        if (err) problem(item.path, err, 'IO_ERROR')
        else visit(item, entries)
        done()
      })
    }

    const visit = (item: Pending<T>, entries: Dirent[]) => {
      let children: readonly WalkChild<T>[] | undefined
      try {
        children = opts.visit(item, entries)
      } catch (e) {
        opts.onProblem({ path: item.path, code: 'INTERNAL', message: `The scanner failed on this folder: ${e instanceof Error ? e.message : String(e)}` })
        return
      }
      if (children === undefined || children.length === 0) return
      const depth = item.depth + 1
      for (let i = children.length - 1; i >= 0; i--) {
        const c = children[i] as WalkChild<T>
        const path = childPath(item.path, c.name)
        if (depth > opts.maxDepth) {
          opts.onProblem({ path, code: 'DEPTH_LIMIT', message: `Not read: the folder is more than ${opts.maxDepth} levels below the scanned folder.` })
          continue
        }
        if (c.link && !opts.followSymlinks) {
          linkProbes.push({ path, data: c.data })
          continue
        }
        if (c.link) {
          deferred.push({ path, depth, data: c.data, viaLink: true })
          continue
        }
        stack.push({ path, depth, data: c.data, viaLink: false })
      }
    }

    // Followed links wait until everything reachable without links has been read, so that a folder is reported
    // under its real path and the link to it is the one the loop guard stops.
    const deferred: Pending<T>[] = []

    // Links we do not follow are stat'ed only to tell the user that a folder was left out.
    const linkProbes: { path: string; data: T }[] = []
    const probe = (p: { path: string; data: T }) => {
      fs.stat(p.path, (err, st) => {
        if (settled) return
        // A dangling link is no problem of ours; a link to a folder is worth a note.
        if (!err && st.isDirectory()) opts.onLinkSkipped?.(p.path, p.data)
        done()
      })
    }

    // With following on, every folder is identified by device+inode before it is read, so a loop ends at once.
    const guardThenRead = (item: Pending<T>) => {
      fs.stat(item.path, (err, st: Stats) => {
        if (settled) return
        if (err) {
          if (!item.viaLink) problem(item.path, err, 'IO_ERROR')
          return done()
        }
        if (!st.isDirectory()) return done() // a followed link to a file
        const id = `${st.dev}:${st.ino}`
        if (seen.has(id)) {
          problem(item.path, null, 'LOOP', 'Not read again: this link leads to a folder that was already scanned (a loop or a second path to it).')
          return done()
        }
        seen.add(id)
        read(item)
      })
    }

    const pump = () => {
      while (active < concurrency && !settled) {
        const linkProbe = linkProbes.pop()
        if (linkProbe !== undefined) {
          active++
          probe(linkProbe)
          continue
        }
        const item = stack.pop()
        if (item === undefined) break
        active++
        if (opts.followSymlinks) guardThenRead(item)
        else read(item)
      }
      if (active === 0 && stack.length === 0 && linkProbes.length === 0) {
        if (deferred.length === 0) return finish(false)
        stack.push(...deferred.splice(0).reverse())
        pump()
      }
    }

    pump()
  })
}

/**
 * `parent/name` for a clean absolute parent (roots are resolved first). Plain concatenation: path.join would
 * re-normalise the whole path for each of the 10⁵ entries of a deep scan.
 */
export function childPath(parent: string, name: string): string {
  return parent.endsWith(sep) ? parent + name : parent + sep + name
}

/** A scan problem for a failed fs call, with a short English message (the UI translates by code). */
export function describeFsError(path: string, err: NodeJS.ErrnoException | null, fallback: ScanProblemCode): ScanProblem {
  const errno = err?.code
  const base = { path, ...(errno ? { errno } : {}) }
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return { ...base, code: 'PERMISSION_DENIED', message: 'Not read: permission denied (the folder may belong to another user or be protected).' }
    case 'ENAMETOOLONG':
      return { ...base, code: 'NAME_TOO_LONG', message: 'Not read: the path is longer than the system allows.' }
    case 'ENOENT':
    case 'ENOTDIR':
      return { ...base, code: 'NOT_FOUND', message: 'Not read: it disappeared or changed while the scan was running.' }
    case 'ELOOP':
      return { ...base, code: 'LOOP', message: 'Not read: too many levels of symbolic links.' }
    default:
      return {
        ...base,
        code: errno ? 'IO_ERROR' : fallback,
        message: errno ? `Not read: the system reported ${errno}.` : 'Not read: an unexpected input/output error occurred.',
      }
  }
}
