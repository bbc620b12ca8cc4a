// The PKCS#12 key derivation function (RFC 7292 Appendix B.2) and the password encoding it expects.
// Written by hand because neither node:crypto nor BoringSSL (Electron) exposes it; it only needs a hash, which
// both have. Checked against OpenSSL (`openssl kdf … PKCS12KDF`) and against OpenSSL-made PFX files in test/pfx.

import { createHash } from 'node:crypto'

export type Pkcs12Hash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512'

/** Output size u and input block size v of each hash, in bytes (RFC 7292 B.2 notation). */
const HASH_SIZES: Record<Pkcs12Hash, { u: number; v: number }> = {
  sha1: { u: 20, v: 64 },
  sha224: { u: 28, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
}

/** The diversifier ID selects what is derived (RFC 7292 B.3). */
export const PKCS12_ID_KEY = 1
export const PKCS12_ID_IV = 2
export const PKCS12_ID_MAC = 3
export type Pkcs12Id = typeof PKCS12_ID_KEY | typeof PKCS12_ID_IV | typeof PKCS12_ID_MAC

/** A corrupt file must not make us hash for minutes (same bound as NPKI key files). */
export const MAX_PKCS12_ITERATIONS = 10_000_000

export function pkcs12HashSize(hash: Pkcs12Hash): number {
  return HASH_SIZES[hash].u
}

/**
 * The password as PKCS#12 wants it: a BMPString, i.e. UTF-16BE code units followed by a two-byte zero terminator.
 * Characters outside the BMP become surrogate pairs, as OpenSSL's UTF-8 conversion does. The empty password is
 * `00 00` (OpenSSL's choice; see `pkcs12PasswordCandidates` for the other reading).
 */
export function pkcs12Password(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2 + 2)
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i)
    out[2 * i] = c >> 8
    out[2 * i + 1] = c & 0xff
  }
  return out
}

/**
 * Byte strings worth trying for one typed password, most likely first:
 * - the proper BMPString of the text;
 * - for non-ASCII text, each UTF-8 byte widened to 16 bits — what OpenSSL before 1.1.0 wrote (it treated the
 *   bytes as Latin-1) and what newer OpenSSL still falls back to when verifying;
 * - for the empty password, no bytes at all (some Windows exports use a NULL password).
 */
export function pkcs12PasswordCandidates(password: string): Uint8Array[] {
  const out = [pkcs12Password(password)]
  if ([...password].some((ch) => ch.charCodeAt(0) > 0x7f)) {
    const utf8 = new TextEncoder().encode(password)
    const widened = new Uint8Array(utf8.length * 2 + 2)
    utf8.forEach((b, i) => (widened[2 * i + 1] = b))
    out.push(widened)
  }
  if (password === '') out.push(new Uint8Array(0))
  return out
}

/** Repeats `src` to fill a multiple of v bytes (empty stays empty), as B.2 steps 2–3 ask. */
function stretch(src: Uint8Array, v: number): Uint8Array {
  if (src.length === 0) return new Uint8Array(0)
  const out = new Uint8Array(v * Math.ceil(src.length / v))
  for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!
  return out
}

/**
 * RFC 7292 B.2: derives `length` bytes of kind `id` from a PKCS#12 password (already in its BMPString form, see
 * `pkcs12Password`), a salt and an iteration count.
 */
export function pkcs12Kdf(hash: Pkcs12Hash, password: Uint8Array, salt: Uint8Array, id: Pkcs12Id, iterations: number, length: number): Uint8Array {
  const sizes = HASH_SIZES[hash]
  if (!sizes) throw new RangeError(`unsupported PKCS#12 KDF hash: ${String(hash as unknown)}`)
  if (!(password instanceof Uint8Array) || !(salt instanceof Uint8Array)) throw new TypeError('password and salt must be bytes')
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PKCS12_ITERATIONS) {
    throw new RangeError(`PKCS#12 KDF iteration count must be an integer in 1..${MAX_PKCS12_ITERATIONS}, got ${iterations}`)
  }
  if (!Number.isInteger(length) || length < 1 || length > 1024) throw new RangeError(`PKCS#12 KDF length must be in 1..1024, got ${length}`)
  const { u, v } = sizes

  const d = new Uint8Array(v).fill(id)
  const i = new Uint8Array([...stretch(salt, v), ...stretch(password, v)])
  const out = new Uint8Array(Math.ceil(length / u) * u)
  const b = new Uint8Array(v)
  for (let block = 0; block * u < length; block++) {
    // A = H^iterations(D ‖ I)
    let a = createHash(hash).update(d).update(i).digest()
    for (let r = 1; r < iterations; r++) a = createHash(hash).update(a).digest()
    out.set(a.subarray(0, u), block * u)
    if ((block + 1) * u >= length) {
      a.fill(0)
      break
    }
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, with B = A repeated to v bytes.
    for (let k = 0; k < v; k++) b[k] = a[k % u]!
    a.fill(0)
    for (let j = 0; j < i.length; j += v) {
      let carry = 1
      for (let k = v - 1; k >= 0; k--) {
        const sum = i[j + k]! + b[k]! + carry
        i[j + k] = sum & 0xff
        carry = sum >> 8
      }
    }
  }
  i.fill(0)
  b.fill(0)
  const result = out.slice(0, length)
  out.fill(0)
  return result
}
