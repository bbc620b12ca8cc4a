/**
 * Reading one certificate folder during a scan, through the cache: for each role file (signCert.der, signPri.key,
 * kmCert.der, kmPri.key) the file source (reader.ts) gives either the cached parse, when the cache holds an entry
 * for the same path, size and mtime, or the file's bytes, which are then hashed and parsed. Keys are only
 * inspected for their encryption scheme: without the password nothing else about them can be known.
 *
 * Caching per file rather than per folder means that touching one key file re-reads that file only, and that a
 * damaged file is remembered as damaged until it changes.
 */
import { createHash } from 'node:crypto'
import type { Dirent } from 'node:fs'
import { basename, join } from 'node:path'
import { isDojangError } from '../../../common/errors'
import type { CertFileRole } from '../npki/certBundle'
import { parseCertificate, type CertificateInfo } from '../npki/certificate'
import { readCertSummary, type CertSummary } from '../npki/certSummary'
import { describeScheme, parseEncryptedKeyFile } from '../npki/privateKey'
import { asCachedFile, CACHE_FORMAT, type CachedFile, type ScanCache } from './cache'
import { isPfxName, roleOf } from './names'
import type { FileSource, LoadHooks } from './reader'
import type { CertFacts, CertFolderScan, KeyFacts, ScanProblem, ScanStats } from './types'

const ROLES: readonly CertFileRole[] = ['signCert', 'signPri', 'kmCert', 'kmPri']

export interface FolderContext {
  cache: ScanCache | undefined
  /** Parses of identical bytes within one scan (keyed by role kind + sha256), unless disabled. */
  memo: Map<string, CachedFile> | undefined
  stats: ScanStats
  /** Where the bytes come from (reader.ts). */
  source: FileSource
}

export type FolderParse = Pick<
  CertFolderScan,
  'files' | 'pfx' | 'other' | 'id' | 'certificate' | 'kmCertificate' | 'signKey' | 'kmKey' | 'contentHash' | 'problems' | 'fromCache'
>

/** Splits a folder listing into role files (first spelling wins, regular files only), PFX files and the rest. */
export function classifyEntries(entries: readonly Dirent[]): Pick<FolderParse, 'files' | 'pfx' | 'other'> {
  const files: FolderParse['files'] = {}
  const pfx: string[] = []
  const other: string[] = []
  for (const e of entries) {
    const role = roleOf(e.name)
    if (role !== undefined && e.isFile() && files[role] === undefined) files[role] = e.name
    else if (e.isFile() && isPfxName(e.name)) pfx.push(e.name)
    else if (!e.isDirectory()) other.push(e.name)
  }
  return { files, pfx, other }
}

interface FileOutcome {
  sha256?: string
  value?: CachedFile
  problem?: ScanProblem
  fromCache: boolean
}

export async function scanCertFolder(dir: string, entries: readonly Dirent[], ctx: FolderContext): Promise<FolderParse> {
  const { files, pfx, other } = classifyEntries(entries)
  const present = ROLES.filter((r) => files[r] !== undefined)
  const paths = present.map((r) => join(dir, files[r] as string))
  const { cache, stats } = ctx
  const hooks: LoadHooks<CachedFile> = {
    mayHave: (p) => cache !== undefined && (cache.has?.(p) ?? true),
    lookup: (p, size, mtimeMs) => (cache === undefined ? undefined : asCachedFile(cache.get(p, size, mtimeMs))),
  }
  const loaded = await ctx.source.load(paths, hooks)
  const outcomes = loaded.map((l, i): FileOutcome => {
    const path = paths[i] as string
    switch (l.kind) {
      case 'error':
        return { problem: l.problem, fromCache: false }
      case 'cached':
        stats.cacheHits++
        return { sha256: l.value.sha256, value: l.value, fromCache: true, ...cachedProblem(path, l.value) }
      case 'bytes': {
        if (cache !== undefined) stats.cacheMisses++
        const value = parseFile(l.bytes, present[i] as CertFileRole, basename(path), ctx)
        // The size and mtime are those of the open file: a change after them makes the next scan miss.
        cache?.put(path, l.size, l.mtimeMs, value)
        return { sha256: value.sha256, value, fromCache: false, ...cachedProblem(path, value) }
      }
    }
  })
  const byRole = new Map<CertFileRole, FileOutcome>(present.map((r, i) => [r, outcomes[i] as FileOutcome]))

  const out: FolderParse = { files, pfx, other, contentHash: '', problems: [], fromCache: outcomes.every((o) => o.fromCache) }
  for (const o of outcomes) if (o.problem) out.problems.push(o.problem)

  const sign = byRole.get('signCert')?.value
  if (sign && 'cert' in sign) {
    out.certificate = sign.cert
    out.id = { issuer: sign.cert.issuer, serial: sign.cert.serial }
  }
  const km = byRole.get('kmCert')?.value
  if (km && 'cert' in km) out.kmCertificate = km.cert
  const signKey = byRole.get('signPri')?.value
  if (signKey && 'keyFile' in signKey) out.signKey = signKey.keyFile
  const kmKey = byRole.get('kmPri')?.value
  if (kmKey && 'keyFile' in kmKey) out.kmKey = kmKey.keyFile

  if (files.signPri === undefined) {
    out.problems.push({ path: join(dir, 'signPri.key'), code: 'MISSING_FILE', message: 'signPri.key is missing: this certificate cannot be used to sign.' })
  }
  if ((files.kmCert === undefined) !== (files.kmPri === undefined)) {
    const missing = files.kmCert === undefined ? 'kmCert.der' : 'kmPri.key'
    out.problems.push({ path: join(dir, missing), code: 'MISSING_FILE', message: `${missing} is missing: the key-management (encryption) pair is incomplete.` })
  }

  const h = createHash('sha256')
  for (const r of present) h.update(`${r}:${byRole.get(r)?.sha256 ?? 'unreadable'}\n`)
  out.contentHash = h.digest('hex')
  return out
}

/** Hashes and parses one file's bytes, once per distinct content within a scan. */
function parseFile(bytes: Uint8Array, role: CertFileRole, name: string, ctx: FolderContext): CachedFile {
  ctx.stats.filesParsed++
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const isCert = role === 'signCert' || role === 'kmCert'
  const memoKey = `${isCert ? 'c' : 'k'}:${sha256}`
  let value = ctx.memo?.get(memoKey)
  if (value === undefined) {
    value = isCert ? parseCert(bytes, name, sha256, ctx.stats) : parseKey(bytes, name, sha256)
    ctx.memo?.set(memoKey, value)
  }
  return value
}

function cachedProblem(path: string, value: CachedFile): { problem?: ScanProblem } {
  return 'problem' in value ? { problem: { path, code: value.problem.code, message: value.problem.message } } : {}
}

/**
 * The fast DER reader first (certSummary.ts, ~40 µs); a certificate it refuses goes through `parseCertificate`
 * (pkijs, ~2 ms), which either reads an odd-but-valid encoding the strict reader does not take or gives the
 * error the user sees. Damaged files are rare, so the slow path costs nothing in practice.
 */
function parseCert(bytes: Uint8Array, name: string, sha256: string, stats: ScanStats): CachedFile {
  stats.certificateParses++
  try {
    return { v: CACHE_FORMAT, sha256, cert: certFacts(readCertSummary(bytes, { sha256 })) }
  } catch {
    try {
      return { v: CACHE_FORMAT, sha256, cert: certFacts(parseCertificate(bytes)) }
    } catch (e) {
      return { v: CACHE_FORMAT, sha256, problem: parseProblem(e, name, 'is not a readable certificate') }
    }
  }
}

function parseKey(bytes: Uint8Array, name: string, sha256: string): CachedFile {
  try {
    const file = parseEncryptedKeyFile(bytes, name)
    const keyFile: KeyFacts = { scheme: file.scheme.kind, label: describeScheme(file.scheme), trailingBytes: file.trailing.length }
    return { v: CACHE_FORMAT, sha256, keyFile }
  } catch (e) {
    return { v: CACHE_FORMAT, sha256, problem: parseProblem(e, name, 'is not a readable encrypted private key') }
  }
}

function parseProblem(e: unknown, name: string, what: string): { code: 'CORRUPT_FILE' | 'UNSUPPORTED_ALGORITHM' | 'INTERNAL'; message: string } {
  if (isDojangError(e)) {
    const code = e.code === 'UNSUPPORTED_ALGORITHM' ? 'UNSUPPORTED_ALGORITHM' : 'CORRUPT_FILE'
    return { code, message: e.message.startsWith(name) ? e.message : `${name}: ${e.message}` }
  }
  return { code: 'INTERNAL', message: `${name} ${what} (unexpected parser failure).` }
}

/** What the scan keeps of a certificate, from either reader. Time-dependent fields (days left, state) are left
 * out: findings compute them with their own `now`. */
export function certFacts(info: CertificateInfo | CertSummary): CertFacts {
  const facts: CertFacts = {
    name: info.displayName,
    commonName: info.commonName,
    subject: info.subject,
    issuer: info.issuer,
    ca: info.ca.id,
    caNameKo: info.ca.nameKo,
    serial: info.serialNumberHex,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    purposeKo: info.policy.purposeKo,
    purposeEn: info.policy.purposeEn,
    ownerType: info.policy.ownerType,
    policyOid: info.policy.oid ?? null,
    keyUsage: info.keyUsage,
    hasVid: 'hasVid' in info ? info.hasVid : info.vid !== undefined,
    fingerprintSha256: info.sha256FingerprintHex,
    kind: info.kind,
    policyCategory: info.policy.category,
  }
  if (info.displayDetail !== undefined) facts.displayDetail = info.displayDetail
  return facts
}
