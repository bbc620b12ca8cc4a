import { describe, it, expect } from 'vitest'
import { Seed128, seedKeySchedule, SEED_S1, SEED_S2 } from '../../main/core/crypto/seed'
import { byteStream, hex, testSeed, toHex } from './helpers'

// npki-format.md §11.2: RFC 4269 Appendix B, BouncyCastle SEEDTest, PyPinkSign. (key, plaintext, ciphertext)
const VECTORS: [string, string, string, string][] = [
  ['RFC 4269 B.1', '00000000000000000000000000000000', '000102030405060708090A0B0C0D0E0F', '5EBAC6E0054E166819AFF1CC6D346CDB'],
  ['RFC 4269 B.2', '000102030405060708090A0B0C0D0E0F', '00000000000000000000000000000000', 'C11F22F20140505084483597E4370F43'],
  ['RFC 4269 B.3', '4706480851E61BE85D74BFB3FD956185', '83A2F8A288641FB9A4E9A5CC2F131C7D', 'EE54D13EBCAE706D226BC3142CD40D4A'],
  ['RFC 4269 B.4', '28DBC3BC49FFD87DCFA509B11D422BE7', 'B41E6BE2EBA84A148E2EED84593C5EC7', '9B9B7BFCD1813CB95D0B3618F40F5122'],
  ['BouncyCastle SEEDTest', '0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E', '0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E', '8296F2F1B007AB9D533FDEE35A9AD850'],
  ['PyPinkSign', '01020201030505030908080911333311', '000122030405060708090ACB0C0D0E0F', '00FA15ED2A89CB0CE23826E55C3341CC'],
]

describe('Seed128 single-block vectors', () => {
  for (const [name, key, pt, ct] of VECTORS) {
    it(`${name}: encrypts`, () => {
      const out = new Uint8Array(16)
      new Seed128(hex(key)).encryptBlock(hex(pt), 0, out, 0)
      expect(toHex(out)).toBe(ct.toLowerCase())
    })
    it(`${name}: decrypts`, () => {
      const out = new Uint8Array(16)
      new Seed128(hex(key)).decryptBlock(hex(ct), 0, out, 0)
      expect(toHex(out)).toBe(pt.toLowerCase())
    })
  }

  it('honours offsets and works in place', () => {
    const [, key, pt, ct] = VECTORS[2]!
    const c = new Seed128(hex(key))
    const buf = new Uint8Array(40).fill(0xee)
    buf.set(hex(pt), 7)
    c.encryptBlock(buf, 7, buf, 7)
    expect(toHex(buf.subarray(7, 23))).toBe(ct.toLowerCase())
    expect(buf[6]).toBe(0xee)
    expect(buf[23]).toBe(0xee)
    const dst = new Uint8Array(20)
    c.decryptBlock(buf, 7, dst, 3)
    expect(toHex(dst.subarray(3, 19))).toBe(pt.toLowerCase())
  })

  it('blockSize is 16', () => {
    expect(new Seed128(new Uint8Array(16)).blockSize).toBe(16)
  })
})

describe('SEED key schedule', () => {
  it('all-zero key gives K1,0 = 7C8F8C7E and K1,1 = C737A22C', () => {
    const rk = seedKeySchedule(new Uint8Array(16))
    expect(rk.length).toBe(32)
    expect((rk[0]! >>> 0).toString(16)).toBe('7c8f8c7e')
    expect((rk[1]! >>> 0).toString(16)).toBe('c737a22c')
  })

  it('rejects keys that are not 16 bytes', () => {
    for (const n of [0, 8, 15, 17, 24, 32]) {
      expect(() => new Seed128(new Uint8Array(n))).toThrow(RangeError)
      expect(() => seedKeySchedule(new Uint8Array(n))).toThrow(RangeError)
    }
  })
})

describe('Seed128 bounds', () => {
  const c = new Seed128(new Uint8Array(16))
  it('refuses blocks that do not fit', () => {
    const b = new Uint8Array(32)
    expect(() => c.encryptBlock(b, 17, b, 0)).toThrow(RangeError)
    expect(() => c.encryptBlock(b, 0, b, 17)).toThrow(RangeError)
    expect(() => c.decryptBlock(b, -1, b, 0)).toThrow(RangeError)
    expect(() => c.decryptBlock(new Uint8Array(15), 0, b, 0)).toThrow(RangeError)
    expect(() => c.encryptBlock(b, 0.5, b, 0)).toThrow(RangeError)
  })
  it('CBC helpers refuse partial blocks, mismatched lengths and bad IVs', () => {
    expect(() => c.cbcEncryptInPlace(new Uint8Array(16), new Uint8Array(20))).toThrow(RangeError)
    expect(() => c.cbcEncryptInPlace(new Uint8Array(8), new Uint8Array(16))).toThrow(RangeError)
    expect(() => c.cbcDecrypt(new Uint8Array(16), new Uint8Array(32), new Uint8Array(16))).toThrow(RangeError)
  })
})

describe('Seed128 random round trips', () => {
  const seed = testSeed()
  it(`decrypt inverts encrypt for random keys and blocks`, () => {
    const rnd = byteStream(seed)
    for (let i = 0; i < 500; i++) {
      const c = new Seed128(rnd(16))
      const pt = rnd(16)
      const ct = new Uint8Array(16)
      c.encryptBlock(pt, 0, ct, 0)
      const where = `CRYPTO_TEST_SEED=${seed} case ${i}`
      expect(toHex(ct), where).not.toBe(toHex(pt))
      const back = new Uint8Array(16)
      c.decryptBlock(ct, 0, back, 0)
      expect(toHex(back), where).toBe(toHex(pt))
    }
  })

  it(`the word-level CBC helpers agree with block-by-block CBC`, () => {
    const rnd = byteStream(`${seed}:cbc`)
    for (let i = 0; i < 50; i++) {
      const c = new Seed128(rnd(16))
      const iv = rnd(16)
      const pt = rnd(16 * (i % 9))
      // reference CBC built only from encryptBlock
      const ref = new Uint8Array(pt.length)
      let prev = iv
      for (let o = 0; o < pt.length; o += 16) {
        const x = new Uint8Array(16)
        for (let j = 0; j < 16; j++) x[j] = pt[o + j]! ^ prev[j]!
        c.encryptBlock(x, 0, ref, o)
        prev = ref.subarray(o, o + 16)
      }
      const buf = pt.slice()
      c.cbcEncryptInPlace(iv, buf)
      const where = `CRYPTO_TEST_SEED=${seed} case ${i}`
      expect(toHex(buf), where).toBe(toHex(ref))
      const back = new Uint8Array(buf.length)
      c.cbcDecrypt(iv, buf, back)
      expect(toHex(back), where).toBe(toHex(pt))
      c.cbcDecrypt(iv, buf, buf) // in place
      expect(toHex(buf), where).toBe(toHex(pt))
    }
  })
})

// The S-boxes are transcribed data; check them against the algebraic definition of the standard:
// S1(x) = A1·x^247 ⊕ 169 and S2(x) = A2·x^251 ⊕ 56 in GF(2^8) with p(x) = x^8+x^6+x^5+x+1, A1 and A2 being
// 8×8 bit matrices. We do not need A: the map x^e ↦ S(x) ⊕ c must be GF(2)-linear, so it is fixed by the
// images of the 8 basis vectors, and every one of the 256 entries must agree. Any typo breaks this.
describe('SEED S-boxes', () => {
  function gfMul(a: number, b: number): number {
    let r = 0
    while (b !== 0) {
      if (b & 1) r ^= a
      a <<= 1
      if (a & 0x100) a ^= 0x163
      b >>>= 1
    }
    return r
  }
  function gfPow(x: number, e: number): number {
    let r = 1
    for (; e > 0; e >>>= 1) {
      if (e & 1) r = gfMul(r, x)
      x = gfMul(x, x)
    }
    return r
  }
  for (const [name, s, e, c] of [
    ['S1', SEED_S1, 247, 169],
    ['S2', SEED_S2, 251, 56],
  ] as const) {
    it(`${name} is a permutation equal to A·x^${e} ⊕ ${c}`, () => {
      expect(s.length).toBe(256)
      expect(new Set(s).size).toBe(256)
      const power = Array.from({ length: 256 }, (_, x) => (x === 0 ? 0 : gfPow(x, e)))
      const cols: number[] = []
      for (let j = 0; j < 8; j++) cols.push(s[power.indexOf(1 << j)]! ^ c)
      for (let x = 0; x < 256; x++) {
        let z = c
        for (let j = 0; j < 8; j++) if ((power[x]! >> j) & 1) z ^= cols[j]!
        expect(s[x], `${name}[${x}]`).toBe(z)
      }
    })
  }
})
