/**
 * Name rules of the scan (npki-format.md §1.1, §2.3, §14). Every comparison is case-insensitive: USB sticks and
 * other tools write `SignCert.der`, `user`, `npki` … Checks on the hot path look at the length first so that the
 * 200,000 unrelated names of a deep scan cost almost nothing.
 */
import { CERT_FILES, type CertFileRole } from '../npki/certBundle'
import type { SkipRules } from './types'

const ROLE_BY_NAME = new Map<string, CertFileRole>((Object.keys(CERT_FILES) as CertFileRole[]).map((r) => [CERT_FILES[r], r]))

export function roleOf(name: string): CertFileRole | undefined {
  // Role names are 9–12 ASCII characters (kmpri.key … signcert.der).
  if (name.length < 9 || name.length > 12) return undefined
  return ROLE_BY_NAME.get(name.toLowerCase())
}

export function isSignCertName(name: string): boolean {
  return name.length === 12 && name.toLowerCase() === CERT_FILES.signCert
}

export function isPfxName(name: string): boolean {
  const n = name.length
  // Character codes first: this runs for every file of a deep scan, and almost none ends in x or 2.
  const last = name.charCodeAt(n - 1) | 0x20
  if (n < 5 || (last !== 0x78 && last !== 0x32) || name.charCodeAt(n - 4) !== 0x2e) return false
  const ext = name.slice(-3).toLowerCase()
  return ext === 'pfx' || ext === 'p12'
}

export function isNpkiName(name: string): boolean {
  return name.length === 4 && name.toLowerCase() === 'npki'
}

export function isUserName(name: string): boolean {
  return name.length === 4 && name.toLowerCase() === 'user'
}

/** Files that belong in an NPKI tree: the four role files, CaPubs (seen in a TradeSign folder) and PFX files. */
export function isExpectedNpkiFile(name: string): boolean {
  return roleOf(name) !== undefined || isPfxName(name) || (name.length === 6 && name.toLowerCase() === 'capubs')
}

/**
 * Harmless clutter that operating systems and Dojang itself leave: Finder and Explorer metadata, AppleDouble
 * companions on FAT sticks, and Dojang's own atomic-write temporaries (recovered by fsx).
 */
export function isOsClutter(name: string): boolean {
  const lower = name.toLowerCase()
  return lower === '.ds_store' || lower === 'thumbs.db' || lower === 'desktop.ini' || lower.startsWith('._') || /^\.dojang-.*\.tmp$/.test(lower)
}

/** Extensions of files that may hold a photo or scan of a security card (보안카드), a password note, a document. */
const SENSITIVE_EXT = new Set([
  'jpg', 'jpeg', 'png', 'gif', 'bmp', 'tif', 'tiff', 'heic', 'webp', // photos and scans
  'txt', 'hwp', 'hwpx', 'doc', 'docx', 'xls', 'xlsx', 'pdf', 'rtf', 'csv', 'memo', // notes and documents
  'zip', '7z', 'rar', 'egg', 'alz', // archives
])

export function looksSensitive(name: string): boolean {
  const dot = name.lastIndexOf('.')
  return dot > 0 && SENSITIVE_EXT.has(name.slice(dot + 1).toLowerCase())
}

/** §14: folders of stores Dojang explains but does not manage. CrossCert is also a CA folder inside NPKI. */
export function relatedStoreKind(name: string, insideNpki: boolean): 'gpki' | 'vendor-store' | undefined {
  if (name.length < 4 || name.length > 11) return undefined
  const lower = name.toLowerCase()
  if (lower === 'gpki') return 'gpki'
  if (lower === 'skcert' || lower === 'certstorage' || lower === 'vestcert') return 'vendor-store'
  if (lower === 'crosscert' && !insideNpki) return 'vendor-store'
  return undefined
}

/**
 * Heavy folders that never hold certificates in practice: package and VCS stores, caches, temp folders. Keeping
 * them out makes a home scan take seconds instead of minutes. Trash folders are walked on purpose: a deleted
 * NPKI folder there is still a copy of the key.
 */
export const DEFAULT_DEEP_SKIP: SkipRules = {
  names: ['node_modules', '.git', '.hg', '.svn', '__pycache__', '.npm', '.yarn', '.pnpm-store', '.gradle', '.m2', '.cargo', '.rustup', '.venv', '.tox'],
  pathTails: [
    'library/caches',
    'library/developer',
    'appdata/local/temp',
    'appdata/local/microsoft',
    'appdata/local/packages',
    'appdata/local/google/chrome/user data',
    '.cache',
    '.local/share/trash/expunged',
  ],
}

export interface CompiledSkip {
  names: ReadonlySet<string>
  /** Grouped by their last segment so that a folder name is looked up once, not compared with every tail. */
  tailsByLast: ReadonlyMap<string, readonly string[][]>
}

export function compileSkip(rules: SkipRules | false | undefined): CompiledSkip | undefined {
  if (rules === false) return undefined
  const r = rules ?? DEFAULT_DEEP_SKIP
  const tailsByLast = new Map<string, string[][]>()
  for (const tail of r.pathTails) {
    const segs = tail.toLowerCase().split(/[\\/]+/).filter((s) => s !== '')
    const last = segs[segs.length - 1]
    if (last === undefined) continue
    const list = tailsByLast.get(last) ?? []
    list.push(segs)
    tailsByLast.set(last, list)
  }
  return { names: new Set(r.names.map((n) => n.toLowerCase())), tailsByLast }
}

/** Whether the folder `name` inside `parent` is skipped. `parent` is only split when the name ends a tail. */
export function isSkipped(skip: CompiledSkip, parent: string, name: string): boolean {
  const lower = name.toLowerCase()
  if (skip.names.has(lower)) return true
  const tails = skip.tailsByLast.get(lower)
  if (tails === undefined) return false
  const parentSegs = parent.toLowerCase().split(/[\\/]+/)
  return tails.some((segs) => {
    const need = segs.length - 1
    if (parentSegs.length < need) return false
    for (let i = 0; i < need; i++) {
      if (parentSegs[parentSegs.length - need + i] !== segs[i]) return false
    }
    return true
  })
}
