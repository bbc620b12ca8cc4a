/**
 * The CPU-heavy key operations that may run off the main thread: every one derives keys from a password (PBKDF1,
 * PBKDF2, the PKCS#12 KDF) and is bounded by the file's work budget. Arguments and results are plain data (bytes,
 * strings, objects of them), so they cross to a worker thread by structured clone unchanged.
 */
import { changeBundlePassword, checkLoadedPassword, type PasswordCheckResult } from './keyPassword'
import { loadCertBundle } from './certBundle'
import { exportPfx, importPfx, type ExportPfxInput, type PfxContents } from './pfx'
import { decryptPrivateKey, encryptPrivateKey, type DecryptedKey, type KeyScheme, type PublicKeyRef } from './privateKey'

export interface BundleLike {
  files: { name: string; data: Uint8Array }[]
}

export const KEY_CRYPTO_JOBS = {
  decryptPrivateKey: (bytes: Uint8Array, password: string, opts: { publicKey?: PublicKeyRef; label?: string } = {}): DecryptedKey =>
    decryptPrivateKey(bytes, password, { ...(opts.publicKey ? { publicKey: opts.publicKey } : {}), ...(opts.label ? { label: opts.label } : {}) }),
  encryptPrivateKey: (pkcs8: Uint8Array, password: string, like?: KeyScheme, opts: { trailing?: Uint8Array } = {}): Uint8Array =>
    encryptPrivateKey(pkcs8, password, like, opts.trailing ? { trailing: opts.trailing } : {}),
  importPfx: (bytes: Uint8Array, password: string): PfxContents => importPfx(bytes, password),
  exportPfx: (input: ExportPfxInput): Uint8Array => exportPfx(input),
  checkBundlePassword: (bundle: BundleLike, label: string, password: string, opts: { kmPassword?: string } = {}): PasswordCheckResult =>
    checkLoadedPassword(loadCertBundle(bundle, label), password, opts),
  changeBundlePassword: (
    bundle: BundleLike,
    label: string,
    oldPassword: string,
    newPassword: string,
    opts: { allowWeak?: boolean; kmPassword?: string } = {},
  ): { files: { name: string; data: Uint8Array }[]; changed: string[] } => changeBundlePassword(bundle, label, oldPassword, newPassword, opts),
} as const

export type KeyCryptoJob = keyof typeof KEY_CRYPTO_JOBS
export type JobArgs<J extends KeyCryptoJob> = Parameters<(typeof KEY_CRYPTO_JOBS)[J]>
export type JobResult<J extends KeyCryptoJob> = ReturnType<(typeof KEY_CRYPTO_JOBS)[J]>

/** Secret bytes a result carries, to be zeroed in the worker once the result has been copied to the caller. */
export function secretBytesOf(job: KeyCryptoJob, result: unknown): Uint8Array[] {
  if (job === 'decryptPrivateKey') return [(result as DecryptedKey).pkcs8]
  if (job === 'importPfx') return (result as PfxContents).pairs.map((p) => p.pkcs8)
  return []
}

/** A job's request and answer on the wire. Errors travel as their code, message and details (never a stack). */
export interface JobRequest {
  id: number
  job: KeyCryptoJob
  args: unknown[]
}
export type JobAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { dojang: boolean; code: string; message: string; details: Record<string, string | number | boolean> } }
