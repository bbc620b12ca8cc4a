/**
 * The scanner: walks NPKI roots and deep-scan folders, finds certificate folders (a folder holding a
 * case-insensitive signCert.der), PFX files, stray files inside NPKI trees and related stores (§14), and parses
 * each certificate folder through the cache while the walk goes on.
 *
 * Rules (npki-format.md §2.3): names match case-insensitively; identity comes from signCert.der, never from the
 * folder names; every folder error is recorded and the walk goes on; depth is limited; symbolic links are not
 * followed (a link to a folder is reported in NPKI roots), except on request, and then with a loop guard.
 */
import type { Dirent } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Medium } from '../stores/types'
import { guardedCache, type CachedFile } from './cache'
import { scanCertFolder, type FolderContext } from './folderScan'
import { asyncSource } from './reader'
import { workerSource } from './workerReader'
import {
  compileSkip, isExpectedNpkiFile, isNpkiName, isOsClutter, isPfxName, isSignCertName, isSkipped, isUserName, relatedStoreKind,
  type CompiledSkip,
} from './names'
import { childPath, describeFsError, nodeScanFs, walk, type WalkChild, type WalkItem } from './walk'
import type {
  CertFolderScan, NpkiStrayFile, PfxFileScan, RelatedStore, RootResult, ScanFs, ScanKind, ScanOptions, ScanProblem, ScanProgress,
  ScanResult, ScanRoot, ScanStats,
} from './types'

export const DEFAULTS = {
  concurrency: 24,
  parseConcurrency: 8,
  npkiMaxDepth: 6,
  deepMaxDepth: 32,
  progressIntervalMs: 100,
  maxProblems: 1000,
} as const

/** Scans standard NPKI roots (or USB `NPKI` folders). Missing roots are normal and only marked `exists: false`. */
export function scanNpkiRoots(roots: readonly (string | Omit<ScanRoot, 'kind'>)[], opts: ScanOptions = {}): Promise<ScanResult> {
  return scan(roots.map((r) => (typeof r === 'string' ? { path: r, kind: 'npki' as const } : { ...r, kind: 'npki' as const })), opts)
}

/**
 * Deep scan of chosen folders (기타 위치): stray NPKI folders and .pfx/.p12 files anywhere below them. Copies found
 * this way count as stray; to keep a standard root inside the folder (~/NPKI in a home scan) from being reported
 * as stray, scan it in the same call as an NPKI root (`scan([{ path: home, kind: 'deep' }, { path: npki }])`).
 */
export function deepScan(folders: readonly (string | Omit<ScanRoot, 'kind'>)[], opts: ScanOptions = {}): Promise<ScanResult> {
  return scan(folders.map((r) => (typeof r === 'string' ? { path: r, kind: 'deep' as const } : { ...r, kind: 'deep' as const })), opts)
}

interface RootState {
  path: string
  kind: ScanKind
  medium: Medium
}

/** Per-folder walk state. */
interface DirData {
  root: RootState
  name: string
  parentName: string
  /** The nearest NPKI folder at or above this one. */
  npkiRoot: string | undefined
  /** Levels below `npkiRoot` (0 = the NPKI folder itself). */
  npkiDepth: number
}

function emptyStats(): ScanStats {
  return {
    foldersVisited: 0, filesSeen: 0, certificatesFound: 0, pfxFound: 0, problems: 0, symlinksSkipped: 0, foldersSkipped: 0,
    foldersFromCache: 0, foldersParsed: 0, filesParsed: 0, certificateParses: 0, cacheHits: 0, cacheMisses: 0, durationMs: 0,
  }
}

/** Runs at most `n` tasks at a time; a finished task hands its slot straight to the next waiter. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: (() => void)[] = []
  return async (fn) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r))
    else active++
    try {
      return await fn()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}

export async function scan(rootsIn: readonly ScanRoot[], opts: ScanOptions = {}): Promise<ScanResult> {
  const t0 = performance.now()
  const startedAt = new Date().toISOString()
  const fs: ScanFs = opts.fs ?? nodeScanFs
  const signal = opts.signal
  const stats = emptyStats()
  const maxProblems = opts.maxProblems ?? DEFAULTS.maxProblems
  const problems: ScanProblem[] = []
  const certificates: CertFolderScan[] = []
  const pfxFiles: PfxFileScan[] = []
  const strayFiles: NpkiStrayFile[] = []
  const relatedStores: RelatedStore[] = []
  const skip: CompiledSkip | undefined = compileSkip(opts.deepSkip)
  const npkiMaxDepth = opts.npkiMaxDepth ?? DEFAULTS.npkiMaxDepth
  const deepMaxDepth = opts.deepMaxDepth ?? DEFAULTS.deepMaxDepth
  const memo = opts.reuseIdenticalParses === false ? undefined : new Map<string, CachedFile>()
  const cache = opts.cache ? guardedCache(opts.cache) : undefined
  const folderCtx: FolderContext = { cache, memo, stats, source: asyncSource() }
  const parseLimit = limiter(Math.max(1, opts.parseConcurrency ?? DEFAULTS.parseConcurrency))
  const tasks: Promise<void>[] = []
  // Set when the scan returns: late completions (after a cancel) must not change a result already handed out.
  let closed = false

  const addProblem = (p: ScanProblem) => {
    stats.problems++
    if (problems.length < maxProblems) problems.push(p)
  }

  // ---- progress ----------------------------------------------------------------------------------------------
  const interval = opts.progressIntervalMs ?? DEFAULTS.progressIntervalMs
  let lastEmit = -Infinity
  const progress = (phase: ScanProgress['phase'], currentPath?: string): ScanProgress => ({
    phase,
    foldersVisited: stats.foldersVisited,
    filesSeen: stats.filesSeen,
    certificatesFound: stats.certificatesFound,
    pfxFound: stats.pfxFound,
    problems: stats.problems,
    ...(currentPath !== undefined ? { currentPath } : {}),
    elapsedMs: performance.now() - t0,
  })
  const emit = (p: ScanProgress) => {
    try {
      opts.onProgress?.(p)
    } catch {
      // A listener's failure must not end the scan.
    }
  }
  const maybeEmit = (currentPath: string) => {
    if (!opts.onProgress) return
    const now = performance.now()
    if (now - lastEmit < interval) return
    lastEmit = now
    emit(progress('scanning', currentPath))
  }

  // ---- roots -------------------------------------------------------------------------------------------------
  const seenRoots = new Set<string>()
  const roots: RootState[] = []
  for (const r of rootsIn) {
    // Absolute and normalised, so that locations are usable later and children can be built by concatenation.
    const path = resolve(r.path)
    if (seenRoots.has(path)) continue
    seenRoots.add(path)
    const kind = r.kind ?? 'npki'
    roots.push({ path, kind, medium: r.medium ?? (kind === 'npki' ? 'disk' : 'other') })
  }
  // Deep scans meet many certificate folders: a worker reads them (workerReader.ts); NPKI roots and USB drives
  // hold a handful, where starting a worker would cost more than it saves.
  const reader = opts.reader ?? (roots.some((r) => r.kind === 'deep') ? 'worker' : 'async')
  const source = reader === 'worker' ? workerSource() : asyncSource()
  folderCtx.source = source
  const rootResults: RootResult[] = await Promise.all(roots.map((r) => checkRoot(r, fs, addProblem, relatedStores)))
  const walkRoots: WalkItem<DirData>[] = roots
    .filter((_, i) => rootResults[i]?.exists)
    .map((r) => ({
      path: r.path,
      depth: 0,
      data: {
        root: r,
        name: baseName(r.path),
        parentName: baseName(dirname(r.path)),
        npkiRoot: r.kind === 'npki' || isNpkiName(baseName(r.path)) ? r.path : undefined,
        npkiDepth: r.kind === 'npki' || isNpkiName(baseName(r.path)) ? 0 : -1,
      },
    }))
  // A folder that is itself a root of this scan is walked once, as that root (an NPKI root inside a deep-scanned home).
  const otherRoots = roots.length > 1 ? new Set(roots.map((r) => r.path)) : undefined

  // ---- work scheduled from the walk ----------------------------------------------------------------------------
  const parseFolder = (dir: WalkItem<DirData>, entries: Dirent[]) => {
    const d = dir.data
    const npkiRoot = d.npkiRoot ?? d.root.path
    const layout: CertFolderScan['layout'] = d.npkiRoot !== undefined && d.npkiDepth === 3 && isUserName(d.parentName) ? 'standard' : 'nonstandard'
    tasks.push(
      parseLimit(async () => {
        if (signal?.aborted || closed) return
        const parsed = await scanCertFolder(dir.path, entries, folderCtx)
        if (closed) return
        if (parsed.fromCache) stats.foldersFromCache++
        else stats.foldersParsed++
        for (const p of parsed.problems) addProblem(p)
        certificates.push({
          location: dir.path,
          root: npkiRoot,
          scanRoot: d.root.path,
          scanKind: d.root.kind,
          medium: d.root.medium,
          inNpki: d.npkiRoot !== undefined,
          layout,
          ...parsed,
        })
      }).catch((e: unknown) => {
        addProblem({ path: dir.path, code: 'INTERNAL', message: `The certificate folder could not be scanned: ${e instanceof Error ? e.message : String(e)}` })
      }),
    )
  }

  const statPfx = (path: string, d: DirData) => {
    tasks.push(
      parseLimit(
        () =>
          new Promise<void>((resolve) => {
            if (signal?.aborted || closed) return resolve()
            fs.stat(path, (err, st) => {
              if (closed) return resolve()
              if (err) addProblem(describeFsError(path, err, 'IO_ERROR'))
              else {
                pfxFiles.push({
                  path,
                  root: d.npkiRoot ?? d.root.path,
                  scanRoot: d.root.path,
                  scanKind: d.root.kind,
                  medium: d.root.medium,
                  size: st.size,
                  mtimeMs: st.mtimeMs,
                  inNpki: d.npkiRoot !== undefined,
                })
              }
              resolve()
            })
          }),
      ),
    )
  }

  // ---- the visit of one folder (synchronous, on the hot path) --------------------------------------------------
  const visit = (dir: WalkItem<DirData>, entries: Dirent[]): WalkChild<DirData>[] => {
    stats.foldersVisited++
    const d = dir.data
    const deep = d.root.kind === 'deep'
    const inNpki = d.npkiRoot !== undefined
    const children: WalkChild<DirData>[] = []
    let certFolder = false
    for (const e of entries) {
      const name = e.name
      if (e.isDirectory()) {
        if (deep && skip !== undefined && isSkipped(skip, dir.path, name)) {
          stats.foldersSkipped++
          continue
        }
        if (otherRoots !== undefined && otherRoots.has(childPath(dir.path, name))) continue
        const related = relatedStoreKind(name, inNpki)
        if (related !== undefined) relatedStores.push({ path: childPath(dir.path, name), kind: related, name })
        children.push({ name, data: childData(d, dir.path, name) })
      } else if (e.isFile()) {
        stats.filesSeen++
        if (isSignCertName(name)) certFolder = true
        if (isPfxName(name)) {
          stats.pfxFound++
          statPfx(childPath(dir.path, name), d)
        } else if (inNpki && !isExpectedNpkiFile(name) && !isOsClutter(name)) {
          strayFiles.push({ path: childPath(dir.path, name), root: d.npkiRoot as string, medium: d.root.medium })
        }
      } else if (e.isSymbolicLink()) {
        stats.symlinksSkipped++
        // Links are checked (and reported when they lead to a folder) inside NPKI trees and when named NPKI;
        // elsewhere a home folder has too many of them to stat each one.
        if (opts.followSymlinks || inNpki || isNpkiName(name)) children.push({ name, data: childData(d, dir.path, name), link: true })
      }
    }
    if (certFolder) {
      stats.certificatesFound++
      parseFolder(dir, entries)
    }
    maybeEmit(dir.path)
    // NPKI roots and deep folders have different depth limits; the walk itself gets the larger one.
    const limit = deep ? deepMaxDepth : npkiMaxDepth
    if (dir.depth >= limit && children.length > 0) {
      for (const c of children) {
        if (c.link && !opts.followSymlinks) continue
        addProblem({ path: childPath(dir.path, c.name), code: 'DEPTH_LIMIT', message: `Not read: the folder is more than ${limit} levels below the scanned folder.` })
      }
      return []
    }
    return children
  }

  let cancelled = false
  try {
    if (walkRoots.length > 0) {
      cancelled = await walk(walkRoots, {
        visit,
        onProblem: addProblem,
        onLinkSkipped: (path) =>
          addProblem({ path, code: 'SYMLINK_SKIPPED', message: 'Not scanned: this is a link to a folder, and links are not followed.' }),
        concurrency: opts.concurrency ?? DEFAULTS.concurrency,
        maxDepth: Math.max(npkiMaxDepth, deepMaxDepth),
        followSymlinks: opts.followSymlinks ?? false,
        ...(signal ? { signal } : {}),
        fs,
      })
    }
    if (!cancelled) cancelled = (await settleTasks(tasks, signal)) || (signal?.aborted ?? false)
  } finally {
    closed = true
    source.close()
  }
  if (signal?.aborted) cancelled = true

  cache?.flush() // guarded: failing to persist the cache must not fail the scan

  certificates.sort((a, b) => cmp(a.location, b.location))
  pfxFiles.sort((a, b) => cmp(a.path, b.path))
  strayFiles.sort((a, b) => cmp(a.path, b.path))
  // A store beside an NPKI root may also lie inside a deep-scanned folder: list each place once.
  const stores = [...new Map(relatedStores.map((s) => [s.path, s])).values()].sort((a, b) => cmp(a.path, b.path))
  stats.durationMs = performance.now() - t0
  emit(progress('done'))
  return {
    status: cancelled ? 'cancelled' : 'finished',
    startedAt,
    finishedAt: new Date().toISOString(),
    roots: rootResults,
    certificates,
    pfxFiles,
    strayFiles,
    relatedStores: stores,
    problems,
    // A copy: parses abandoned by a cancel may still finish and count after this returns.
    stats: { ...stats },
  }

  function childData(d: DirData, parentPath: string, name: string): DirData {
    if (isNpkiName(name)) return { root: d.root, name, parentName: d.name, npkiRoot: childPath(parentPath, name), npkiDepth: 0 }
    return { root: d.root, name, parentName: d.name, npkiRoot: d.npkiRoot, npkiDepth: d.npkiRoot === undefined ? -1 : d.npkiDepth + 1 }
  }
}

/** Waits for the scheduled parses; a cancel returns at once (running parses finish on their own and are dropped). */
async function settleTasks(tasks: Promise<void>[], signal: AbortSignal | undefined): Promise<boolean> {
  if (!signal) {
    await Promise.all(tasks)
    return false
  }
  if (signal.aborted) return true
  let onAbort: (() => void) | undefined
  const aborted = new Promise<boolean>((resolve) => {
    onAbort = () => resolve(true)
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([Promise.all(tasks).then(() => false), aborted])
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}

/** Stats a root: missing is normal; a file or an unreadable path is a problem. NPKI roots' siblings are checked
 * for related stores (GPKI next to NPKI in LocalLow, vendor stores). */
function checkRoot(r: RootState, fs: ScanFs, addProblem: (p: ScanProblem) => void, related: RelatedStore[]): Promise<RootResult> {
  const result = (exists: boolean): RootResult => ({ path: r.path, kind: r.kind, medium: r.medium, exists })
  return new Promise((resolve) => {
    // The root itself is followed if it is a link: the caller named it (e.g. ~/NPKI linked to a synced folder).
    fs.stat(r.path, (err, st) => {
      if (err) {
        if (err.code !== 'ENOENT' && err.code !== 'ENOTDIR') addProblem(describeFsError(r.path, err, 'IO_ERROR'))
        return resolve(result(false))
      }
      if (!st.isDirectory()) {
        addProblem({ path: r.path, code: 'INVALID_INPUT', message: 'Not scanned: this is a file, not a folder.' })
        return resolve(result(false))
      }
      if (r.kind !== 'npki') return resolve(result(true))
      const parent = dirname(r.path)
      if (parent === r.path) return resolve(result(true))
      fs.readdir(parent, { withFileTypes: true }, (err2, entries) => {
        if (!err2) {
          for (const e of entries) {
            const kind = e.isDirectory() ? relatedStoreKind(e.name, false) : undefined
            if (kind !== undefined) related.push({ path: join(parent, e.name), kind, name: e.name })
          }
        }
        resolve(result(true))
      })
    })
  })
}

function baseName(p: string): string {
  const m = /[^\\/]+(?=[\\/]*$)/.exec(p)
  return m ? m[0] : p
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
