// CBC with 8-byte blocks for the PKCS#12 password-based schemes (RFC 7292 Appendix C): Triple-DES, which both
// OpenSSL and Electron's BoringSSL provide, and RC2, which only some runtimes have (Node builds whose OpenSSL
// loads the legacy provider). Padding is ours and strict, like cbc.ts, because with CBC a wrong password shows up
// as bad padding or garbage and must never be mistaken for a key.

import { createCipheriv, createDecipheriv } from 'node:crypto'
import { PaddingError } from './cbc'

export type Cbc8Algorithm = 'des-ede3-cbc' | 'des-ede-cbc' | 'rc2-cbc' | 'rc2-40-cbc'

const BLOCK = 8

const KEY_LENGTHS: Record<Cbc8Algorithm, number> = {
  'des-ede3-cbc': 24,
  'des-ede-cbc': 16,
  'rc2-cbc': 16,
  'rc2-40-cbc': 5,
}

export function cbc8KeyLength(alg: Cbc8Algorithm): number {
  const n = KEY_LENGTHS[alg]
  if (n === undefined) throw new RangeError(`unknown 8-byte-block CBC algorithm: ${String(alg as unknown)}`)
  return n
}

/** The runtime cannot run this cipher (RC2 under BoringSSL or OpenSSL 3 without the legacy provider). */
export class CipherUnavailableError extends Error {
  constructor(readonly algorithm: Cbc8Algorithm) {
    super(`${algorithm} is not available in this runtime`)
    this.name = 'CipherUnavailableError'
  }
}

function cipher(encrypt: boolean, alg: Cbc8Algorithm, key: Uint8Array, iv: Uint8Array) {
  if (key.length !== cbc8KeyLength(alg)) throw new RangeError(`${alg}: key must be ${cbc8KeyLength(alg)} bytes`)
  if (iv.length !== BLOCK) throw new RangeError(`${alg}: IV must be ${BLOCK} bytes`)
  try {
    const c = encrypt ? createCipheriv(alg, key, iv) : createDecipheriv(alg, key, iv)
    c.setAutoPadding(false)
    return c
  } catch (e) {
    // Node reports a missing cipher as "Unknown cipher" / ERR_CRYPTO_UNKNOWN_CIPHER / an OpenSSL "unsupported" error.
    throw Object.assign(new CipherUnavailableError(alg), { cause: e })
  }
}

function run(c: ReturnType<typeof cipher>, data: Uint8Array): Uint8Array {
  const head = c.update(data)
  const tail = c.final()
  const out = new Uint8Array(head.length + tail.length)
  out.set(head)
  out.set(tail, head.length)
  head.fill(0)
  tail.fill(0)
  return out
}

/** CBC-encrypt with PKCS#7 padding to 8-byte blocks (1..8 bytes always added). */
export function cbc8Encrypt(alg: Cbc8Algorithm, key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const pad = BLOCK - (plaintext.length % BLOCK)
  const buf = new Uint8Array(plaintext.length + pad)
  buf.set(plaintext)
  buf.fill(pad, plaintext.length)
  try {
    return run(cipher(true, alg, key, iv), buf)
  } finally {
    buf.fill(0)
  }
}

/** CBC-decrypt a whole number of 8-byte blocks without touching the padding (PaddingError otherwise). */
export function cbc8DecryptNoUnpad(alg: Cbc8Algorithm, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) {
    throw new PaddingError(`ciphertext length ${ciphertext.length} is not a non-zero multiple of ${BLOCK}`)
  }
  return run(cipher(false, alg, key, iv), ciphertext)
}

/**
 * Strict PKCS#7 unpadding for 8-byte blocks: last byte n in 1..8 and the last n bytes all equal to n. Returns a
 * copy. The checks do not exit early, so timing does not tell where the padding went wrong.
 */
export function strictUnpad8(data: Uint8Array): Uint8Array {
  const len = data.length
  if (len === 0 || len % BLOCK !== 0) throw new PaddingError(`padded data length ${len} is not a non-zero multiple of ${BLOCK}`)
  const n = data[len - 1]!
  let bad = ((n - 1) >>> 31) | ((BLOCK - n) >>> 31)
  let diff = 0
  for (let i = 0; i < BLOCK; i++) {
    const inPad = ((i - n) >> 31) & 0xff
    diff |= (data[len - 1 - i]! ^ n) & inPad
  }
  bad |= (diff | -diff) >>> 31
  if (bad !== 0) throw new PaddingError('invalid PKCS#7 padding')
  return data.slice(0, len - n)
}
