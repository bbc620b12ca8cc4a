// CBC mode with PKCS#7 padding for the ciphers NPKI key files use (npki-format.md §5.3–§5.5, §6).
// SEED runs on our own Seed128 (Electron's BoringSSL has no SEED); AES uses node:crypto, which Electron has too.
// Padding is always ours: OpenSSL's own unpadding is lax about what it accepts, and §6 needs the strict check.

import { createCipheriv, createDecipheriv } from 'node:crypto'
import { Seed128 } from './seed'

/** A 16-byte block cipher: transforms exactly one block from src[srcOff..+16) into dst[dstOff..+16). */
export interface BlockCipher {
  readonly blockSize: number
  encryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void
  decryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void
}

/**
 * The ciphertext is not validly padded (or not a whole number of blocks). With CBC this is also what a wrong
 * password usually looks like, so callers treat it as "wrong password or corrupt file", not as a bug.
 */
export class PaddingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PaddingError'
  }
}

export type CbcAlgorithm = 'seed-128-cbc' | 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc'

const BLOCK = 16

/** Key size in bytes of a CBC algorithm. */
export function keyLengthOf(alg: CbcAlgorithm): number {
  switch (alg) {
    case 'seed-128-cbc':
    case 'aes-128-cbc':
      return 16
    case 'aes-192-cbc':
      return 24
    case 'aes-256-cbc':
      return 32
    default:
      // Reachable from untyped callers (e.g. an OID table lookup gone wrong).
      throw new RangeError(`unknown CBC algorithm: ${String(alg as unknown)}`)
  }
}

function checkKeyIv(alg: CbcAlgorithm, key: Uint8Array, iv: Uint8Array): void {
  const want = keyLengthOf(alg)
  if (!(key instanceof Uint8Array) || key.length !== want) {
    throw new RangeError(`${alg}: key must be ${want} bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`)
  }
  if (!(iv instanceof Uint8Array) || iv.length !== BLOCK) {
    throw new RangeError(`${alg}: IV must be ${BLOCK} bytes, got ${iv instanceof Uint8Array ? iv.length : typeof iv}`)
  }
}

/** CBC-encrypt with PKCS#7 padding (always 1..16 bytes added, so the output is never empty). */
export function cbcEncrypt(alg: CbcAlgorithm, key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkKeyIv(alg, key, iv)
  const pad = BLOCK - (plaintext.length % BLOCK)
  const buf = new Uint8Array(plaintext.length + pad)
  buf.set(plaintext)
  buf.fill(pad, plaintext.length)
  if (alg === 'seed-128-cbc') {
    new Seed128(key).cbcEncryptInPlace(iv, buf)
    return buf
  }
  try {
    return nodeCbc(true, alg, key, iv, buf)
  } finally {
    buf.fill(0) // padded copy of the plaintext
  }
}

/**
 * CBC-decrypt without removing padding. Used to tell "bad padding" from other failures when classifying
 * errors. The ciphertext must be a whole number of blocks (else PaddingError); empty input gives empty output.
 */
export function cbcDecryptNoUnpad(alg: CbcAlgorithm, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  checkKeyIv(alg, key, iv)
  if (ciphertext.length % BLOCK !== 0) {
    throw new PaddingError(`ciphertext length ${ciphertext.length} is not a multiple of ${BLOCK}`)
  }
  if (alg === 'seed-128-cbc') {
    const out = new Uint8Array(ciphertext.length)
    new Seed128(key).cbcDecrypt(iv, ciphertext, out)
    return out
  }
  return nodeCbc(false, alg, key, iv, ciphertext)
}

/** CBC-decrypt and strictly remove PKCS#7 padding (npki-format.md §6 check 1). Throws PaddingError. */
export function cbcDecrypt(alg: CbcAlgorithm, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  checkKeyIv(alg, key, iv)
  if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) {
    throw new PaddingError(`ciphertext length ${ciphertext.length} is not a non-zero multiple of ${BLOCK}`)
  }
  const raw = cbcDecryptNoUnpad(alg, key, iv, ciphertext)
  try {
    return strictUnpad(raw)
  } finally {
    raw.fill(0) // the padded plaintext is usually a private key
  }
}

/**
 * Strict PKCS#7 unpadding for 16-byte blocks: length a non-zero multiple of 16, last byte n in 1..16, the last
 * n bytes all equal to n. Returns a copy without the padding. The byte comparisons do not exit early, so the
 * time taken does not reveal where the padding went wrong (a wrong password yields garbage here).
 */
export function strictUnpad(data: Uint8Array): Uint8Array {
  const len = data.length
  if (len === 0 || len % BLOCK !== 0) {
    throw new PaddingError(`padded data length ${len} is not a non-zero multiple of ${BLOCK}`)
  }
  const n = data[len - 1]!
  // 1 if n == 0 or n > 16: both differences go negative, and >>> 31 picks up the sign bit.
  let bad = ((n - 1) >>> 31) | ((BLOCK - n) >>> 31)
  let diff = 0
  for (let i = 0; i < BLOCK; i++) {
    const inPad = ((i - n) >> 31) & 0xff // 0xff while i < n, else 0
    diff |= (data[len - 1 - i]! ^ n) & inPad
  }
  bad |= (diff | -diff) >>> 31
  if (bad !== 0) throw new PaddingError('invalid PKCS#7 padding')
  // A plain Uint8Array copy (Buffer#slice would return a view for Buffer input).
  return new Uint8Array(data.subarray(0, len - n))
}

function nodeCbc(encrypt: boolean, alg: CbcAlgorithm, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = encrypt ? createCipheriv(alg, key, iv) : createDecipheriv(alg, key, iv)
  c.setAutoPadding(false)
  const head = c.update(data)
  const tail = c.final()
  // Copy into a plain Uint8Array (Buffers may be views into Node's shared pool) and wipe the Buffers.
  const out = new Uint8Array(head.length + tail.length)
  out.set(head)
  out.set(tail, head.length)
  head.fill(0)
  tail.fill(0)
  return out
}
