/**
 * Checks shared by every store and operation that handles a CertBundle: file names that are safe on every OS, no
 * two names that one case-insensitive file system would merge, a signCert.der present, bounded sizes.
 */
import { createHash } from 'node:crypto'
import { DojangError } from '../../../common/errors'
import type { BundleFile, CertBundle } from './types'

/** Certificate, key and CaPubs files are a few KiB; a PFX some more. Anything larger is not part of a certificate. */
export const MAX_BUNDLE_FILE_BYTES = 1 << 20
/** A certificate folder holds four to six files; this bound keeps a junk folder from being read whole. */
export const MAX_BUNDLE_FILES = 64

/** Comparison key for names: NFC (macOS HFS+ hands out NFD) and case-folded (NTFS, APFS and FAT ignore case). */
export function foldName(name: string): string {
  return name.normalize('NFC').toLowerCase()
}

export const isSignCertName = (name: string): boolean => foldName(name) === 'signcert.der'
export const isUserFolderName = (name: string): boolean => foldName(name) === 'user'

// eslint-disable-next-line no-control-regex -- control characters cannot be part of a file name we write
const BAD_NAME_CHARS = /[\\/\u0000-\u001f\u007f]/

/** A bare file name that cannot climb out of its folder. */
export function isPlainFileName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !BAD_NAME_CHARS.test(name)
}

/**
 * Validates a bundle and returns its files with NFC names, in their original order. INVALID_INPUT for bad names,
 * duplicates or missing bytes; MISSING_FILE when there is no signCert.der.
 */
export function checkBundle(bundle: CertBundle): BundleFile[] {
  if (!bundle || !Array.isArray(bundle.files) || bundle.files.length === 0) {
    throw new DojangError('INVALID_INPUT', 'The certificate to write has no files.')
  }
  if (bundle.files.length > MAX_BUNDLE_FILES) {
    throw new DojangError('INVALID_INPUT', `The certificate to write has too many files (${bundle.files.length}).`, { count: bundle.files.length })
  }
  const seen = new Set<string>()
  const out: BundleFile[] = []
  for (const f of bundle.files) {
    if (!f || !isPlainFileName(f.name)) {
      throw new DojangError('INVALID_INPUT', 'A file of the certificate has a name that cannot be used as a file name.', { name: String(f?.name) })
    }
    if (!(f.data instanceof Uint8Array)) throw new DojangError('INVALID_INPUT', `The content of ${f.name} is not bytes.`, { name: f.name })
    if (f.data.length > MAX_BUNDLE_FILE_BYTES) {
      throw new DojangError('INVALID_INPUT', `${f.name} is too large (${f.data.length} bytes) to be part of a certificate.`, { name: f.name, size: f.data.length })
    }
    const key = foldName(f.name)
    // Both would land in one file on Windows, macOS and USB sticks; refuse rather than lose one of them.
    if (seen.has(key)) throw new DojangError('INVALID_INPUT', `The certificate holds two files named ${f.name} (differing only in case).`, { name: f.name })
    seen.add(key)
    out.push({ name: f.name.normalize('NFC'), data: f.data })
  }
  if (!out.some((f) => isSignCertName(f.name))) {
    throw new DojangError('MISSING_FILE', 'The certificate to write has no signCert.der.', { missing: 'signCert.der' })
  }
  return out
}

export function signCertOf(files: BundleFile[]): BundleFile {
  const f = files.find((x) => isSignCertName(x.name))
  if (!f) throw new DojangError('MISSING_FILE', 'The certificate has no signCert.der.', { missing: 'signCert.der' })
  return f
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/**
 * Differences between two bundles, matching names case-insensitively (a destination may reuse its own spelling).
 * Empty when every file has the same bytes on both sides and neither side has extra files.
 */
export function bundleDifferences(expected: BundleFile[], actual: BundleFile[]): string[] {
  const byName = new Map(actual.map((f) => [foldName(f.name), f]))
  const problems: string[] = []
  for (const f of expected) {
    const other = byName.get(foldName(f.name))
    if (!other) problems.push(`${f.name}: missing`)
    else if (sha256Of(other.data) !== sha256Of(f.data)) problems.push(`${f.name}: different bytes`)
    byName.delete(foldName(f.name))
  }
  for (const extra of byName.values()) problems.push(`${extra.name}: unexpected`)
  return problems
}
