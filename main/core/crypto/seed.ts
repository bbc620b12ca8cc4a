// SEED-128 block cipher (KISA; RFC 4269), pure TypeScript.
// Electron's node:crypto is BoringSSL, which has no SEED, so NPKI keys need this.
// Written from the algorithm description in RFC 4269 §2; verified by the RFC's Appendix B vectors and against
// OpenSSL in test/crypto.

import type { BlockCipher } from './cbc'

// The two 8-bit S-boxes of the standard (RFC 4269 Appendix A), row-major, hex.
// test/crypto checks them against their algebraic definition (S1(x) = A1·x^247 ⊕ 169, S2(x) = A2·x^251 ⊕ 56
// over GF(2^8) mod x^8+x^6+x^5+x+1), so a transcription error cannot slip through.
const S1_HEX =
  'a985d6d3541dac255d43181e51fcca63' +
  '2844209de0e2c817a58f037bbb13d2ee' +
  '708c3fa832ddf674ec950b575c5bbd01' +
  '241c739810ccf2d92ce772839bd186c9' +
  '6050a3eb0db69e4fb75ac678a612afd5' +
  '61c3b441527d8d081f9900190453f7e1' +
  'fd762f27b08b0eaba26e934d697c090a' +
  'bfeff3c58714fe64de2e4b1a06216b66' +
  '02f5928a0cb37ed07a4796e52680addf' +
  'a13037ae36152238f4a7454c81e98497' +
  '35cbce3c7111c78975fbdaf8945982c4' +
  'ff493967c0cfd7b80f8e4223916cdba4' +
  '34f148c26f3d2d40be3ebcc1aaba4e55' +
  '3bdc687f9cd84a5677a0ed46b52b65fa' +
  'e3b9b19f5ef9e6b231ea6d5fe4f0cd88' +
  '163a58d462290733e81b0579906a2a9a'
const S2_HEX =
  '38e82da6cfdeb3b8af6055c7446f6b5b' +
  'c36233b529a0e2a7d39111061cbc364b' +
  'ef886ca817c416f4c245e1d63f3d8e98' +
  '284ef63ea5f90ddfd82b667a272ff172' +
  '42d441c07367ac8bf7ad801fca2caa34' +
  'd20beee95d9418f857ae08c513cd86b9' +
  'ff7dc131f58a6ab1d120d70222046871' +
  '07db9d9961bee659dd5190dc9aa3abd0' +
  '810f471ae3ec8dbf967b5ca2a163234d' +
  'c89e9c3a0c2eba6e9f5af292f34978cc' +
  '15fb70757f351003646dc674d5b4ea09' +
  '7619fe4012e0bd05fa01f02a5ea95643' +
  '8514899bb0e5487997fc1e82218c1b5f' +
  '7754b21d254f0046ed5852eb7edac9fd' +
  '3095653cb6e4bb7c0e50392632846993' +
  '37e724a4cb530a87d94c838fce3b4ab7'

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** The standard's S-boxes S1 and S2. Exported for the table self-check in the tests only. */
export const SEED_S1: Uint8Array = hexBytes(S1_HEX)
export const SEED_S2: Uint8Array = hexBytes(S2_HEX)

// G function tables. RFC 4269 §2 defines G(Y3‖Y2‖Y1‖Y0) byte-wise with the masks m0=fc, m1=f3, m2=cf, m3=3f;
// folding each input byte's contribution into one 32-bit word gives G = SS0[Y0] ^ SS1[Y1] ^ SS2[Y2] ^ SS3[Y3].
// Bytes of each word, most significant first:
//   SS0 = S1&m3, S1&m2, S1&m1, S1&m0     SS1 = S2&m0, S2&m3, S2&m2, S2&m1
//   SS2 = S1&m1, S1&m0, S1&m3, S1&m2     SS3 = S2&m2, S2&m1, S2&m0, S2&m3
// Int32Array so every lookup is a small integer for V8 (no heap numbers, no >>> 0 needed).
const SS0 = new Int32Array(256)
const SS1 = new Int32Array(256)
const SS2 = new Int32Array(256)
const SS3 = new Int32Array(256)
{
  const m0 = 0xfc
  const m1 = 0xf3
  const m2 = 0xcf
  const m3 = 0x3f
  for (let x = 0; x < 256; x++) {
    const a = SEED_S1[x] ?? 0
    const b = SEED_S2[x] ?? 0
    SS0[x] = ((a & m3) << 24) | ((a & m2) << 16) | ((a & m1) << 8) | (a & m0)
    SS1[x] = ((b & m0) << 24) | ((b & m3) << 16) | ((b & m2) << 8) | (b & m1)
    SS2[x] = ((a & m1) << 24) | ((a & m0) << 16) | ((a & m3) << 8) | (a & m2)
    SS3[x] = ((b & m2) << 24) | ((b & m1) << 16) | ((b & m0) << 8) | (b & m3)
  }
}

function g(x: number): number {
  return SS0[x & 0xff]! ^ SS1[(x >>> 8) & 0xff]! ^ SS2[(x >>> 16) & 0xff]! ^ SS3[x >>> 24]!
}

/**
 * The 32 round-key words K(1,0), K(1,1), …, K(16,0), K(16,1) for a 16-byte key (RFC 4269 §2.2).
 * Exported so the tests can check the schedule against the published subkeys.
 */
export function seedKeySchedule(key: Uint8Array): Int32Array {
  if (!(key instanceof Uint8Array) || key.length !== 16) {
    throw new RangeError(`SEED key must be 16 bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`)
  }
  let k0 = be32(key, 0)
  let k1 = be32(key, 4)
  let k2 = be32(key, 8)
  let k3 = be32(key, 12)
  const rk = new Int32Array(32)
  let kc = 0x9e3779b9 | 0 // KC(0) = golden ratio; KC(i) = KC(i−1) rotated left by 1
  for (let i = 0; i < 16; i++) {
    rk[2 * i] = g((k0 + k2 - kc) | 0)
    rk[2 * i + 1] = g((k1 - k3 + kc) | 0)
    if ((i & 1) === 0) {
      // odd round (1-based): (K0‖K1) >>>= 8 as one 64-bit value
      const t = k0
      k0 = (k0 >>> 8) | (k1 << 24)
      k1 = (k1 >>> 8) | (t << 24)
    } else {
      // even round: (K2‖K3) <<<= 8
      const t = k2
      k2 = (k2 << 8) | (k3 >>> 24)
      k3 = (k3 << 8) | (t >>> 24)
    }
    kc = (kc << 1) | (kc >>> 31)
  }
  return rk
}

function be32(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!
}

// Output of rounds(): four 32-bit words. Module-level scratch, so a block costs no allocation.
const OUT = new Int32Array(4)

/**
 * The 16 Feistel rounds on one block held as four big-endian words, with the given round keys (encryption
 * order, or reversed pairs for decryption); the result goes to OUT. The G function is written out inline: this
 * is the hot loop of every NPKI key decryption, and V8 keeps it all in 32-bit registers this way.
 */
function rounds(rk: Int32Array, l0: number, l1: number, r0: number, r1: number): void {
  let t0: number
  let t1: number
  // Two rounds per iteration so L and R swap roles without moves.
  for (let i = 0; i < 32; i += 4) {
    // L ^= F(R, K_i)
    t0 = r0 ^ rk[i]!
    t1 = (r1 ^ rk[i + 1]!) ^ t0
    t1 = SS0[t1 & 0xff]! ^ SS1[(t1 >>> 8) & 0xff]! ^ SS2[(t1 >>> 16) & 0xff]! ^ SS3[t1 >>> 24]!
    t0 = (t0 + t1) | 0
    t0 = SS0[t0 & 0xff]! ^ SS1[(t0 >>> 8) & 0xff]! ^ SS2[(t0 >>> 16) & 0xff]! ^ SS3[t0 >>> 24]!
    t1 = (t1 + t0) | 0
    t1 = SS0[t1 & 0xff]! ^ SS1[(t1 >>> 8) & 0xff]! ^ SS2[(t1 >>> 16) & 0xff]! ^ SS3[t1 >>> 24]!
    t0 = (t0 + t1) | 0
    l0 ^= t0
    l1 ^= t1
    // R ^= F(L, K_i+1)
    t0 = l0 ^ rk[i + 2]!
    t1 = (l1 ^ rk[i + 3]!) ^ t0
    t1 = SS0[t1 & 0xff]! ^ SS1[(t1 >>> 8) & 0xff]! ^ SS2[(t1 >>> 16) & 0xff]! ^ SS3[t1 >>> 24]!
    t0 = (t0 + t1) | 0
    t0 = SS0[t0 & 0xff]! ^ SS1[(t0 >>> 8) & 0xff]! ^ SS2[(t0 >>> 16) & 0xff]! ^ SS3[t0 >>> 24]!
    t1 = (t1 + t0) | 0
    t1 = SS0[t1 & 0xff]! ^ SS1[(t1 >>> 8) & 0xff]! ^ SS2[(t1 >>> 16) & 0xff]! ^ SS3[t1 >>> 24]!
    t0 = (t0 + t1) | 0
    r0 ^= t0
    r1 ^= t1
  }
  // The last round has no swap: output is R16‖L16.
  OUT[0] = r0
  OUT[1] = r1
  OUT[2] = l0
  OUT[3] = l1
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24
  b[o + 1] = v >>> 16
  b[o + 2] = v >>> 8
  b[o + 3] = v
}

/** SEED with a 128-bit key. src and dst may be the same buffer (the block is read fully before writing). */
export class Seed128 implements BlockCipher {
  readonly blockSize = 16
  readonly #enc: Int32Array
  readonly #dec: Int32Array

  constructor(key: Uint8Array) {
    this.#enc = seedKeySchedule(key)
    // Decryption runs the same rounds with the round-key pairs in reverse order.
    const dec = new Int32Array(32)
    for (let i = 0; i < 16; i++) {
      dec[2 * i] = this.#enc[30 - 2 * i]!
      dec[2 * i + 1] = this.#enc[31 - 2 * i]!
    }
    this.#dec = dec
  }

  encryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
    checkBlock(src, srcOff, dst, dstOff)
    rounds(this.#enc, be32(src, srcOff), be32(src, srcOff + 4), be32(src, srcOff + 8), be32(src, srcOff + 12))
    putOut(dst, dstOff)
  }

  decryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
    checkBlock(src, srcOff, dst, dstOff)
    rounds(this.#dec, be32(src, srcOff), be32(src, srcOff + 4), be32(src, srcOff + 8), be32(src, srcOff + 12))
    putOut(dst, dstOff)
  }

  /**
   * CBC-encrypt buf in place (length a multiple of 16; padding is the caller's job). The chaining value stays
   * in four words instead of being xored byte by byte, which is worth ~15 % over encryptBlock per block.
   */
  cbcEncryptInPlace(iv: Uint8Array, buf: Uint8Array): void {
    checkCbc(iv, buf, buf)
    const rk = this.#enc
    let c0 = be32(iv, 0)
    let c1 = be32(iv, 4)
    let c2 = be32(iv, 8)
    let c3 = be32(iv, 12)
    for (let o = 0; o < buf.length; o += 16) {
      rounds(rk, c0 ^ be32(buf, o), c1 ^ be32(buf, o + 4), c2 ^ be32(buf, o + 8), c3 ^ be32(buf, o + 12))
      c0 = OUT[0]!
      c1 = OUT[1]!
      c2 = OUT[2]!
      c3 = OUT[3]!
      put32(buf, o, c0)
      put32(buf, o + 4, c1)
      put32(buf, o + 8, c2)
      put32(buf, o + 12, c3)
    }
  }

  /** CBC-decrypt src into dst (same length, a multiple of 16; may be the same buffer). No unpadding. */
  cbcDecrypt(iv: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
    checkCbc(iv, src, dst)
    const rk = this.#dec
    let p0 = be32(iv, 0)
    let p1 = be32(iv, 4)
    let p2 = be32(iv, 8)
    let p3 = be32(iv, 12)
    for (let o = 0; o < src.length; o += 16) {
      const x0 = be32(src, o)
      const x1 = be32(src, o + 4)
      const x2 = be32(src, o + 8)
      const x3 = be32(src, o + 12)
      rounds(rk, x0, x1, x2, x3)
      put32(dst, o, OUT[0]! ^ p0)
      put32(dst, o + 4, OUT[1]! ^ p1)
      put32(dst, o + 8, OUT[2]! ^ p2)
      put32(dst, o + 12, OUT[3]! ^ p3)
      p0 = x0
      p1 = x1
      p2 = x2
      p3 = x3
    }
  }
}

function putOut(dst: Uint8Array, o: number): void {
  put32(dst, o, OUT[0]!)
  put32(dst, o + 4, OUT[1]!)
  put32(dst, o + 8, OUT[2]!)
  put32(dst, o + 12, OUT[3]!)
}

// Out-of-range typed-array reads give undefined (→ 0) and writes are dropped silently; refuse instead.
function checkBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
  if (
    !(Number.isInteger(srcOff) && srcOff >= 0 && srcOff + 16 <= src.length) ||
    !(Number.isInteger(dstOff) && dstOff >= 0 && dstOff + 16 <= dst.length)
  ) {
    throw new RangeError('SEED block out of bounds')
  }
}

function checkCbc(iv: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
  if (iv.length !== 16) throw new RangeError(`SEED-CBC IV must be 16 bytes, got ${iv.length}`)
  if (src.length % 16 !== 0 || dst.length !== src.length) {
    throw new RangeError('SEED-CBC input must be a whole number of blocks, and the output the same length')
  }
}
