/**
 * Shapes of the scanner: what goes in (roots, options), what comes out (certificate folders, PFX files, problems,
 * progress). Everything in a result is plain JSON-friendly data so that it can cross IPC and land in the inventory.
 */
import type { ErrorCode } from '../../../common/errors'
import type { CertFileRole } from '../npki/certBundle'
import type { CertificateSummary } from '../npki/summary'
import type { Medium } from '../stores/types'
import type { ScanCache } from './cache'

/**
 * 'npki': an NPKI root (`~/NPKI`, `E:\NPKI`); everything below it is walked (depth 6 by default).
 * 'deep': any folder (a home, a Downloads folder); stray NPKI folders and .pfx/.p12 files are found anywhere below
 * it (depth 32), heavy well-known folders are skipped.
 */
export type ScanKind = 'npki' | 'deep'

export interface ScanRoot {
  path: string
  kind?: ScanKind
  /** Default: 'disk' for NPKI roots, 'other' (기타 위치) for deep-scanned folders. */
  medium?: Medium
}

export type ScanProblemCode =
  | ErrorCode
  /** The path is longer than the OS accepts (ENAMETOOLONG). */
  | 'NAME_TOO_LONG'
  /** A symbolic link to a folder was seen and, by design, not followed. */
  | 'SYMLINK_SKIPPED'
  /** Following links (opt-in) led back to a folder already visited. */
  | 'LOOP'
  /** A folder was left unread because it lies deeper than the depth limit. */
  | 'DEPTH_LIMIT'

export interface ScanProblem {
  path: string
  code: ScanProblemCode
  /** English; the UI translates by code. */
  message: string
  /** The OS error name when there was one (EACCES, EIO …). */
  errno?: string
}

/**
 * What the scan learned about a certificate, independent of the time of the scan (expiry state is computed by the
 * findings with an injectable `now`). Same field names as the CLI's CertificateSummary.
 */
export type CertFacts = Omit<CertificateSummary, 'daysLeft' | 'state'> & {
  displayDetail?: string
  kind: 'sign' | 'km' | 'unknown'
  /** The policy category from the OID table: 'gpki' and 'cloud' certificates get their own findings. */
  policyCategory: string
}

export interface KeyFacts {
  /** KeyScheme kind: 'npki-pbkdf1-seed', 'pbes2', 'legacy-seed-fixed-iv'. */
  scheme: string
  /** A human label without secrets, e.g. "1.2.410.200004.1.15 (PBKDF1-SHA1 + SEED-CBC, 2048 iterations)". */
  label: string
  /** Bytes after the DER (TradeSign files carry 46). */
  trailingBytes: number
}

export interface CertificateId {
  issuer: string
  /** Lowercase hex as `parseCertificate` gives it. */
  serial: string
}

/** One certificate folder (`…/USER/<DN>/` holding a signCert.der), i.e. one copy of a certificate. */
export interface CertFolderScan {
  /** The DN folder. */
  location: string
  /** The NPKI root it belongs to (the nearest `NPKI` folder above it), or the scanned folder when there is none. */
  root: string
  /** The root the caller asked to scan, and its kind: copies found by a deep scan lie outside the usual places. */
  scanRoot: string
  scanKind: ScanKind
  medium: Medium
  /** Whether the folder lies inside an `NPKI` folder (or an NPKI root); false for e.g. `Downloads/cert/`. */
  inNpki: boolean
  /** 'standard' when the folder sits at `<NPKI root>/<CA>/USER/<DN>` (any case), as NPKI software expects. */
  layout: 'standard' | 'nonstandard'
  /** File names as found on disk, by role (spelling kept). */
  files: Partial<Record<CertFileRole, string>>
  /** `.pfx` / `.p12` files beside the pair. */
  pfx: string[]
  /** Any other file in the folder (CaPubs, notes, images …); subfolders are not listed. */
  other: string[]
  /** Absent when signCert.der could not be read or parsed (see problems). */
  id?: CertificateId
  certificate?: CertFacts
  kmCertificate?: CertFacts
  signKey?: KeyFacts
  kmKey?: KeyFacts
  /**
   * SHA-256 (hex) over the role-tagged hashes of signCert, signPri, kmCert and kmPri: two copies of the same
   * certificate with different hashes differ (typically a different password on the key).
   */
  contentHash: string
  problems: ScanProblem[]
  /** Whether every file's parse came from the cache. */
  fromCache: boolean
}

export interface PfxFileScan {
  path: string
  root: string
  scanRoot: string
  scanKind: ScanKind
  medium: Medium
  size: number
  mtimeMs: number
  /** Inside an NPKI tree (listed as a "PFX file" item next to the certificates) or a stray file found by a deep scan. */
  inNpki: boolean
}

/** A file inside an NPKI tree that is not a certificate or key file (images, notes, documents …). */
export interface NpkiStrayFile {
  path: string
  root: string
  medium: Medium
}

/** Stores Dojang detects and explains but does not manage (npki-format.md §14). */
export interface RelatedStore {
  path: string
  kind: 'gpki' | 'vendor-store'
  /** The folder name as found (GPKI, SKCert, certstorage, VestCert, CrossCert …). */
  name: string
}

export interface RootResult {
  path: string
  kind: ScanKind
  medium: Medium
  /** false when the root does not exist (normal for most standard roots). */
  exists: boolean
}

export interface ScanStats {
  foldersVisited: number
  filesSeen: number
  certificatesFound: number
  pfxFound: number
  /** All problems, including those beyond `maxProblems` that were only counted. */
  problems: number
  symlinksSkipped: number
  /** Folders left out by the skip list of the deep scan. */
  foldersSkipped: number
  /** Certificate folders whose every file came from the cache. */
  foldersFromCache: number
  /** Certificate folders where at least one file had to be read and parsed. */
  foldersParsed: number
  /** Files read and parsed (cache misses). */
  filesParsed: number
  /** Calls of the certificate parser; lower than the certificate files parsed when copies share bytes. */
  certificateParses: number
  cacheHits: number
  cacheMisses: number
  durationMs: number
}

export type ScanStatus = 'finished' | 'cancelled'

export interface ScanResult {
  status: ScanStatus
  startedAt: string
  finishedAt: string
  roots: RootResult[]
  /** Sorted by location. */
  certificates: CertFolderScan[]
  pfxFiles: PfxFileScan[]
  strayFiles: NpkiStrayFile[]
  relatedStores: RelatedStore[]
  /** Walk problems (unreadable folders, links, depth) and copies of the folder problems, capped at `maxProblems`. */
  problems: ScanProblem[]
  stats: ScanStats
}

export interface ScanProgress {
  phase: 'scanning' | 'done'
  foldersVisited: number
  filesSeen: number
  certificatesFound: number
  pfxFound: number
  problems: number
  /** The folder being read when the event was made (for a status line). */
  currentPath?: string
  elapsedMs: number
}

export interface ScanOptions {
  signal?: AbortSignal
  onProgress?: (p: ScanProgress) => void
  /** Minimum time between progress events (default 100 ms; 0 = one event per folder). A final event always comes. */
  progressIntervalMs?: number
  cache?: ScanCache
  /** Concurrent directory reads (default 24). */
  concurrency?: number
  /** Concurrent certificate-folder parses (default 8). */
  parseConcurrency?: number
  /** Depth below an NPKI root (default 6). */
  npkiMaxDepth?: number
  /** Depth below a deep-scanned folder (default 32). */
  deepMaxDepth?: number
  /**
   * Folders a deep scan leaves out: names matched case-insensitively anywhere (node_modules), and path tails
   * (Library/Caches). Default DEFAULT_DEEP_SKIP; pass `false` to walk everything.
   */
  deepSkip?: SkipRules | false
  /** Follow symbolic links to folders (default false). Loops are stopped by a device+inode check. */
  followSymlinks?: boolean
  /** Problems kept in the result (default 1000); the rest are only counted. */
  maxProblems?: number
  /** Reuse one parse for byte-identical files within a scan (default true). Off only to measure parse cost. */
  reuseIdenticalParses?: boolean
  /** Filesystem for the walk, for tests that inject failures. */
  fs?: ScanFs
  /**
   * How certificate-folder files are read: 'async' (libuv requests from the main thread) or 'worker' (one worker
   * thread with synchronous reads, one message per folder). Default: 'worker' when a root is a deep scan, else 'async'.
   */
  reader?: 'async' | 'worker'
}

export interface SkipRules {
  /** Folder names, compared lowercase. */
  names: readonly string[]
  /** Path tails with '/' separators, compared lowercase at a separator boundary ('library/caches'). */
  pathTails: readonly string[]
}

type Callback<T> = (err: NodeJS.ErrnoException | null, value: T) => void

/**
 * The node:fs calls of the walk (folders, roots, links, PFX files), callback style: cheaper than promises on 10⁵
 * entries. Certificate-folder files are read by reader.ts.
 */
export interface ScanFs {
  readdir(path: string, options: { withFileTypes: true }, cb: Callback<import('node:fs').Dirent[]>): void
  stat(path: string, cb: Callback<import('node:fs').Stats>): void
}
