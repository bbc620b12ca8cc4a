/**
 * The key work of the operations (open, re-encrypt, PFX in and out): inline, blocking the caller (tests, small
 * tools), or in the key worker thread (npki/keyCrypto.ts), which keeps the app's main process responsive while a
 * key derivation runs. The commands use OFF_THREAD; everything else about an operation is shared.
 */
import { decryptPrivateKeyAsync, encryptPrivateKeyAsync, exportPfxAsync, importPfxAsync } from '../npki/keyCrypto'
import { exportPfx, importPfx, type ExportPfxInput, type PfxContents } from '../npki/pfx'
import { decryptPrivateKey, encryptPrivateKey, type DecryptedKey, type PublicKeyRef } from '../npki/privateKey'

export interface KeyWork {
  decrypt(bytes: Uint8Array, password: string, opts: { publicKey?: PublicKeyRef; label?: string }): Promise<DecryptedKey>
  encrypt(pkcs8: Uint8Array, password: string): Promise<Uint8Array>
  importPfx(bytes: Uint8Array, password: string): Promise<PfxContents>
  exportPfx(input: ExportPfxInput): Promise<Uint8Array>
}

export const INLINE: KeyWork = {
  decrypt: async (bytes, password, opts) => decryptPrivateKey(bytes, password, opts),
  encrypt: async (pkcs8, password) => encryptPrivateKey(pkcs8, password),
  importPfx: async (bytes, password) => importPfx(bytes, password),
  exportPfx: async (input) => exportPfx(input),
}

export const OFF_THREAD: KeyWork = {
  decrypt: (bytes, password, opts) => decryptPrivateKeyAsync(bytes, password, opts),
  encrypt: (pkcs8, password) => encryptPrivateKeyAsync(pkcs8, password),
  importPfx: (bytes, password) => importPfxAsync(bytes, password),
  exportPfx: (input) => exportPfxAsync(input),
}
