/**
 * PFX export from a certificate folder and PFX import into an NPKI root (npki-format.md §10.2, §10.3). The keys
 * move as exact PKCS#8 bytes, so randomNum survives both ways; every file written is read back and compared.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { DojangError, isDojangError } from '../../../common/errors'
import { bytesEqual } from '../asn1/der'
import { mapFsError, readFileSafe, writeFileAtomic } from '../fsx'
import { loadCertBundle } from '../npki/certBundle'
import { parseCertificate, type CertificateInfo } from '../npki/certificate'
import { parsePrivateKeyInfo } from '../npki/pkcs8'
import type { PfxKeyPair, PfxPair, PfxProfile } from '../npki/pfx'
import type { PublicKeyRef } from '../npki/privateKey'
import { DiskStore } from '../stores/diskStore'
import type { BundleFile, CopyRef, Store } from '../stores/types'
import { INLINE, OFF_THREAD, type KeyWork } from './keyWork'
import { requireReadableKeys, requireStrongPassword } from './password'

function publicKeyOf(cert: CertificateInfo): PublicKeyRef | undefined {
  const { modulus, exponent } = cert.publicKey
  return modulus ? { modulus, exponent } : undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Export

export interface ExportFolderOptions {
  profile: PfxProfile
  /** Also export kmCert.der + kmPri.key as a second pair (default: only the signing pair, like the bank sample). */
  includeKm?: boolean
  /** Where to write the PFX file. */
  out: string
  /** Replace an existing file at `out` (default: CONFLICT). */
  overwrite?: boolean
  /** When kmPri.key has its own password. */
  kmPassword?: string
}

export interface ExportFolderResult {
  out: string
  /** Number of private keys in the file (1, or 2 with the km pair). */
  keys: number
  /** Whether the signing key carried randomNum (and so does the PFX). */
  hasRandomNum: boolean
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.lstat(file)
    return true
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return false
    throw mapFsError(e, file, 'check the PFX file name')
  }
}

/**
 * Opens the folder's keys with the certificate password and writes them as a PFX protected by `pfxPassword`.
 * Errors: MISSING_FILE, WRONG_PASSWORD, KEY_MISMATCH, CORRUPT_FILE (folder); CONFLICT (out exists); I/O codes.
 */
export function exportFolderToPfx(dir: string, password: string, pfxPassword: string, opts: ExportFolderOptions): Promise<ExportFolderResult> {
  return exportCopyToPfx(DiskStore.forFolder(dir), dir, password, pfxPassword, opts, INLINE)
}

/** exportFolderToPfx with the key derivations in the key worker thread: the caller's event loop stays free. */
export function exportFolderToPfxAsync(dir: string, password: string, pfxPassword: string, opts: ExportFolderOptions): Promise<ExportFolderResult> {
  return exportCopyToPfx(DiskStore.forFolder(dir), dir, password, pfxPassword, opts, OFF_THREAD)
}

export interface PfxBuildOptions {
  profile: PfxProfile
  includeKm?: boolean
  kmPassword?: string
}

/**
 * A copy from any store whose keys can be read (disk, USB, 키체인) as PFX bytes, in memory: the keys are opened with
 * the certificate password and sealed under `pfxPassword`. The caller owns (and should zero) the bytes.
 * Errors: MISSING_FILE, WRONG_PASSWORD, KEY_MISMATCH, CORRUPT_FILE.
 */
export async function pfxFromCopy(store: Store, location: string, password: string, pfxPassword: string, opts: PfxBuildOptions, work: KeyWork = OFF_THREAD): Promise<{ bytes: Uint8Array; keys: number; hasRandomNum: boolean }> {
  requireReadableKeys(store)
  const folder = loadCertBundle(await store.read(location), location)
  const dir = location
  const { signPri: signName, kmPri: kmName } = folder.files.names
  if (!folder.signPri || !signName) {
    throw new DojangError('MISSING_FILE', 'The private key (signPri.key) is missing: this copy cannot be exported', { dir })
  }
  const sign = await work.decrypt(folder.signPri, password, { publicKey: publicKeyOf(folder.signCert), label: signName })
  let km: PfxKeyPair | undefined
  try {
    if (opts.includeKm) {
      if (!folder.kmCert || !folder.kmPri || !kmName) {
        throw new DojangError('MISSING_FILE', 'This certificate has no key-management pair (kmCert.der + kmPri.key) to export', { dir })
      }
      try {
        const k = await work.decrypt(folder.kmPri, opts.kmPassword ?? password, { publicKey: publicKeyOf(folder.kmCert), label: kmName })
        km = { cert: folder.kmCert.der, pkcs8: k.pkcs8 }
      } catch (e) {
        if (isDojangError(e, 'WRONG_PASSWORD') && opts.kmPassword === undefined) {
          throw new DojangError('WRONG_PASSWORD', 'The signing key opened, but the key-management key (kmPri.key) has a different password', { file: kmName, kmPasswordDiffers: true }, { cause: e })
        }
        throw e
      }
    }
    const bytes = await work.exportPfx({ cert: folder.signCert.der, pkcs8: sign.pkcs8, password: pfxPassword, profile: opts.profile, ...(km ? { km } : {}) })
    return { bytes, keys: km ? 2 : 1, hasRandomNum: sign.info.randomNum !== undefined }
  } finally {
    sign.pkcs8.fill(0)
    km?.pkcs8.fill(0)
  }
}

/** A copy from any store whose keys can be read (disk, USB, 키체인) as a PFX file; the bundle stays in memory. */
export async function exportCopyToPfx(
  store: Store,
  location: string,
  password: string,
  pfxPassword: string,
  opts: ExportFolderOptions,
  work: KeyWork = OFF_THREAD,
): Promise<ExportFolderResult> {
  requireReadableKeys(store)
  if (!opts || typeof opts.out !== 'string' || opts.out === '') throw new DojangError('INVALID_INPUT', 'No file name was given for the PFX file')
  const out = path.resolve(opts.out)
  const { bytes, keys, hasRandomNum } = await pfxFromCopy(store, location, password, pfxPassword, opts, work)
  try {
    if (!opts.overwrite && (await exists(out))) {
      throw new DojangError('CONFLICT', `${path.basename(out)} already exists; choose another name or allow replacing it`, { path: out })
    }
    await writeFileAtomic(out, bytes, { mode: 0o600 })
    const back = await readFileSafe(out, 16 << 20)
    if (!bytesEqual(back, bytes)) {
      throw new DojangError('IO_ERROR', `${path.basename(out)} did not read back as written; do not rely on it`, { path: out })
    }
    return { out, keys, hasRandomNum }
  } finally {
    bytes.fill(0)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Import

export type ImportWarning = 'NO_RANDOM_NUM'

export interface ImportPfxOptions {
  /** The NPKI root to write into (absolute), e.g. ~/NPKI or a USB stick's NPKI folder. */
  root: string
  /** Dojang's data folder: backups of replaced files. */
  dataDir: string
  /** Replace an existing certificate folder of the same holder (its files go to the backups). Default: CONFLICT. */
  overwrite?: boolean
  /** Skip the KISA password rules for the new key password. */
  allowWeak?: boolean
}

export interface ImportPfxResult {
  /** The certificate folder written: `<root>/<issuer O>/USER/<DN folder>`. */
  dir: string
  /** NO_RANDOM_NUM: the signing key has no randomNum, so ID-number checks (식별번호 확인) at banks will fail. */
  warnings: ImportWarning[]
}

export function pickPairs(pairs: PfxPair[]): { sign: PfxPair; km?: PfxPair } {
  const sign = pairs.find((p) => p.role === 'sign') ?? (pairs.length === 1 && pairs[0]!.role !== 'km' ? pairs[0] : undefined)
  if (!sign) {
    throw new DojangError('INVALID_INPUT', 'This file holds only a key-management (encryption) certificate, not a signing certificate', { file: 'pfx' })
  }
  return { sign, km: pairs.find((p) => p.role === 'km' && p !== sign) }
}

/** Encrypts as an NPKI key file and proves the result opens to the same bytes. */
async function toKeyFile(work: KeyWork, pkcs8: Uint8Array, password: string, cert: CertificateInfo, name: string): Promise<Uint8Array> {
  const data = await work.encrypt(pkcs8, password)
  const again = await work.decrypt(data, password, { publicKey: publicKeyOf(cert), label: name })
  if (!bytesEqual(again.pkcs8, pkcs8)) {
    throw new DojangError('INTERNAL', `Encrypting ${name} did not preserve the key bytes; nothing was written`, { file: name })
  }
  again.pkcs8.fill(0)
  return data
}

/**
 * Reads a PFX and writes its certificate as an NPKI folder whose keys use `newPassword` (scheme
 * 1.2.410.200004.1.15, exact PKCS#8 kept). The folder appears all at once (DiskStore stages and renames it);
 * an existing folder of the same holder is a CONFLICT unless `overwrite`, which backs the old files up first.
 */
export function importPfxToRoot(pfxBytes: Uint8Array, pfxPassword: string, newPassword: string, opts: ImportPfxOptions): Promise<ImportPfxResult> {
  return importPfxToRootWith(INLINE, pfxBytes, pfxPassword, newPassword, opts)
}

/** importPfxToRoot with the key derivations in the key worker thread: the caller's event loop stays free. */
export function importPfxToRootAsync(pfxBytes: Uint8Array, pfxPassword: string, newPassword: string, opts: ImportPfxOptions): Promise<ImportPfxResult> {
  return importPfxToRootWith(OFF_THREAD, pfxBytes, pfxPassword, newPassword, opts)
}

async function importPfxToRootWith(work: KeyWork, pfxBytes: Uint8Array, pfxPassword: string, newPassword: string, opts: ImportPfxOptions): Promise<ImportPfxResult> {
  if (!opts || typeof opts.root !== 'string' || typeof opts.dataDir !== 'string' || !opts.dataDir) {
    throw new DojangError('INVALID_INPUT', "The NPKI folder and Dojang's data folder must be given")
  }
  const { location, warnings } = await importPfxToStore(new DiskStore(opts.root), pfxBytes, pfxPassword, newPassword, opts, work)
  return { dir: location, warnings }
}

/**
 * Imports a PFX into any writable store: the NPKI pair is built in memory (never staged in a temporary file),
 * written by the store, and read back through it to the very same certificate and key bytes.
 */
export async function importPfxToStore(
  store: Store,
  pfxBytes: Uint8Array,
  pfxPassword: string,
  newPassword: string,
  opts: { dataDir: string; overwrite?: boolean; allowWeak?: boolean },
  work: KeyWork = OFF_THREAD,
): Promise<{ location: string; ref: CopyRef; warnings: ImportWarning[] }> {
  if (!store.capabilities.write) throw new DojangError('INVALID_INPUT', 'Certificates cannot be written to this medium.', { medium: store.medium })
  if (typeof newPassword !== 'string' || newPassword === '') throw new DojangError('INVALID_INPUT', 'A password for the imported certificate is needed')
  requireStrongPassword(newPassword, opts.allowWeak)
  const { pairs } = await work.importPfx(pfxBytes, pfxPassword)
  try {
    const { sign, km } = pickPairs(pairs)
    const signCert = parseCertificate(sign.cert)
    const files: BundleFile[] = [
      { name: 'signCert.der', data: sign.cert },
      { name: 'signPri.key', data: await toKeyFile(work, sign.pkcs8, newPassword, signCert, 'signPri.key') },
    ]
    let kmCert: CertificateInfo | undefined
    if (km) {
      kmCert = parseCertificate(km.cert)
      files.push({ name: 'kmCert.der', data: km.cert }, { name: 'kmPri.key', data: await toKeyFile(work, km.pkcs8, newPassword, kmCert, 'kmPri.key') })
    }
    const warnings: ImportWarning[] = []
    if (!hasRandomNum(sign.pkcs8)) warnings.push('NO_RANDOM_NUM')

    const ref = await store.write({ files }, { dataDir: opts.dataDir, overwrite: opts.overwrite })
    await verifyWritten(work, store, ref.location, newPassword, sign, km)
    return { location: ref.location, ref, warnings }
  } finally {
    for (const p of pairs) p.pkcs8.fill(0)
  }
}

function hasRandomNum(pkcs8: Uint8Array): boolean {
  return parsePrivateKeyInfo(pkcs8).randomNum !== undefined
}

/** The copy as written must open with the new password to the very same key and certificate bytes. */
async function verifyWritten(work: KeyWork, store: Store, location: string, password: string, sign: PfxPair, km: PfxPair | undefined): Promise<void> {
  const check = async (certDer: Uint8Array | undefined, keyFile: Uint8Array | undefined, expected: PfxPair, name: string) => {
    if (!certDer || !keyFile || !bytesEqual(certDer, expected.cert)) throw new Error(`${name} is missing or differs`)
    const k = await work.decrypt(keyFile, password, { label: name })
    const same = bytesEqual(k.pkcs8, expected.pkcs8)
    k.pkcs8.fill(0)
    if (!same) throw new Error(`${name} does not hold the imported key`)
  }
  try {
    const copy = loadCertBundle(await store.read(location), location)
    await check(copy.signCert.der, copy.signPri, sign, 'signPri.key')
    if (km) await check(copy.kmCert?.der, copy.kmPri, km, 'kmPri.key')
  } catch (e) {
    throw new DojangError('IO_ERROR', 'The imported certificate did not read back correctly; do not rely on it', { location }, { cause: e })
  }
}
