/**
 * The scan cache port. The scanner remembers what it learned from each certificate or key file under the file's
 * path, size and mtime; a rescan that sees the same three values reuses it instead of reading and parsing again.
 * Implementations: `MemoryScanCache` here, and the SQLite inventory through `inventoryScanCache` (inventory.ts).
 *
 * Entries are plain JSON without secrets (hashes, parsed public facts, the key's encryption scheme), so the
 * inventory's secret guard accepts them.
 */
import type { CertFacts, KeyFacts, ScanProblemCode } from './types'

/** Bump when the shape or meaning of entries changes; older entries then count as misses. */
export const CACHE_FORMAT = 1

export type CachedFile =
  | { v: typeof CACHE_FORMAT; sha256: string; cert: CertFacts }
  | { v: typeof CACHE_FORMAT; sha256: string; keyFile: KeyFacts }
  /** The file was read but is not what its name says; kept so that a damaged file is not re-parsed each scan. */
  | { v: typeof CACHE_FORMAT; sha256: string; problem: { code: ScanProblemCode; message: string } }

export interface ScanCache {
  /** The entry stored for exactly this path, size and mtime, or undefined. */
  get(path: string, size: number, mtimeMs: number): unknown
  put(path: string, size: number, mtimeMs: number, value: CachedFile): void
  /** Whether anything is stored for the path (any size or mtime). Optional: lets a first scan skip a stat per file. */
  has?(path: string): boolean
  /** Called once when a scan ends (finished or cancelled), e.g. to commit batched writes. */
  flush?(): void
}

/** Checks an entry read back from a cache (it may come from an older Dojang or a damaged database). */
export function asCachedFile(value: unknown): CachedFile | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Record<string, unknown>
  if (v.v !== CACHE_FORMAT || typeof v.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.sha256)) return undefined
  if (isRecord(v.cert) && typeof v.cert.issuer === 'string' && typeof v.cert.serial === 'string' && typeof v.cert.notAfter === 'string') {
    return value as CachedFile
  }
  if (isRecord(v.keyFile) && typeof v.keyFile.scheme === 'string') return value as CachedFile
  if (isRecord(v.problem) && typeof v.problem.code === 'string' && typeof v.problem.message === 'string') return value as CachedFile
  return undefined
}

/**
 * The cache as the scanner uses it: a cache that throws (a full disk under SQLite, a bug) costs a re-parse, never
 * a certificate folder. Counts the failures so that tests and diagnostics can see them.
 */
export function guardedCache(cache: ScanCache): ScanCache & { failures: number; flush(): void } {
  const guarded = {
    failures: 0,
    get(path: string, size: number, mtimeMs: number): unknown {
      try {
        return cache.get(path, size, mtimeMs)
      } catch {
        guarded.failures++
        return undefined
      }
    },
    put(path: string, size: number, mtimeMs: number, value: CachedFile): void {
      try {
        cache.put(path, size, mtimeMs, value)
      } catch {
        guarded.failures++
      }
    },
    flush(): void {
      try {
        cache.flush?.()
      } catch {
        guarded.failures++
      }
    },
  }
  const has = cache.has?.bind(cache)
  if (has) {
    return Object.assign(guarded, {
      has(path: string): boolean {
        try {
          return has(path)
        } catch {
          guarded.failures++
          return true // unknown: take the stat-first path
        }
      },
    })
  }
  return guarded
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/** An in-process cache (CLI runs, tests, benchmarks). */
export class MemoryScanCache implements ScanCache {
  private readonly entries = new Map<string, { size: number; mtimeMs: number; value: CachedFile }>()
  gets = 0
  puts = 0

  get(path: string, size: number, mtimeMs: number): CachedFile | undefined {
    this.gets++
    const e = this.entries.get(path)
    return e !== undefined && e.size === size && e.mtimeMs === mtimeMs ? e.value : undefined
  }

  put(path: string, size: number, mtimeMs: number, value: CachedFile): void {
    this.puts++
    this.entries.set(path, { size, mtimeMs, value })
  }

  has(path: string): boolean {
    return this.entries.has(path)
  }

  get size(): number {
    return this.entries.size
  }
}
