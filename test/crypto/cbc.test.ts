import { describe, it, expect } from 'vitest'
import {
  PaddingError,
  cbcDecrypt,
  cbcDecryptNoUnpad,
  cbcEncrypt,
  keyLengthOf,
  strictUnpad,
  type CbcAlgorithm,
} from '../../main/core/crypto'
import { ascii, byteStream, hex, testSeed, toHex } from './helpers'

const ALGS: CbcAlgorithm[] = ['seed-128-cbc', 'aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc']

describe('SEED-CBC known answer', () => {
  // npki-format.md §11.2 (PyPinkSign)
  const key = ascii('abcdefghijklmnop')
  const iv = ascii('0123456789abcdef')
  const pt = ascii('TEST_MSG_IS_QUITE_LONG_ENOUGH!')
  const ct = 'ce9b783de4dd93bf52adbb3e59a7435b49d71e45703460fbdc655e2c5ca35fec'

  it('encrypts with PKCS#7 padding', () => {
    expect(toHex(cbcEncrypt('seed-128-cbc', key, iv, pt))).toBe(ct)
  })
  it('decrypts and strips the padding', () => {
    expect(toHex(cbcDecrypt('seed-128-cbc', key, iv, hex(ct)))).toBe(toHex(pt))
  })
  it('decrypts without unpadding, keeping the two 02 bytes', () => {
    expect(toHex(cbcDecryptNoUnpad('seed-128-cbc', key, iv, hex(ct)))).toBe(toHex(pt) + '0202')
  })
  it('does not modify its inputs', () => {
    const c = hex(ct)
    cbcDecrypt('seed-128-cbc', key, iv, c)
    cbcEncrypt('seed-128-cbc', key, iv, pt)
    expect(toHex(c)).toBe(ct)
    expect(toHex(pt)).toBe(toHex(ascii('TEST_MSG_IS_QUITE_LONG_ENOUGH!')))
    expect(toHex(iv)).toBe(toHex(ascii('0123456789abcdef')))
  })
})

describe('cbcEncrypt / cbcDecrypt round trips', () => {
  const seed = testSeed()
  for (const alg of ALGS) {
    it(`${alg}: lengths 0..80 round-trip, output is padded to the next block`, () => {
      const rnd = byteStream(`${seed}:${alg}`)
      for (let len = 0; len <= 80; len++) {
        const key = rnd(keyLengthOf(alg))
        const iv = rnd(16)
        const pt = rnd(len)
        const ct = cbcEncrypt(alg, key, iv, pt)
        const where = `CRYPTO_TEST_SEED=${seed} len ${len}`
        expect(ct.length, where).toBe((Math.floor(len / 16) + 1) * 16)
        expect(toHex(cbcDecrypt(alg, key, iv, ct)), where).toBe(toHex(pt))
        const raw = cbcDecryptNoUnpad(alg, key, iv, ct)
        const n = ct.length - len
        expect(toHex(raw), where).toBe(toHex(pt) + n.toString(16).padStart(2, '0').repeat(n))
      }
    })
  }

  it('AES-128-CBC matches the NIST SP 800-38A F.2.1 vector (first block)', () => {
    const key = hex('2b7e151628aed2a6abf7158809cf4f3c')
    const iv = hex('000102030405060708090a0b0c0d0e0f')
    const pt = hex('6bc1bee22e409f96e93d7e117393172a')
    const ct = cbcEncrypt('aes-128-cbc', key, iv, pt)
    expect(toHex(ct.subarray(0, 16))).toBe('7649abac8119b246cee98e9b12e9197d')
  })
})

describe('key and IV sizes', () => {
  it('keyLengthOf', () => {
    expect(keyLengthOf('seed-128-cbc')).toBe(16)
    expect(keyLengthOf('aes-128-cbc')).toBe(16)
    expect(keyLengthOf('aes-192-cbc')).toBe(24)
    expect(keyLengthOf('aes-256-cbc')).toBe(32)
    expect(() => keyLengthOf('des-cbc' as CbcAlgorithm)).toThrow(RangeError)
  })
  for (const alg of ALGS) {
    it(`${alg}: wrong key or IV size is a RangeError`, () => {
      const k = keyLengthOf(alg)
      const ct = new Uint8Array(32)
      for (const bad of [0, k - 1, k + 1, k === 16 ? 32 : 16]) {
        expect(() => cbcEncrypt(alg, new Uint8Array(bad), new Uint8Array(16), ct)).toThrow(RangeError)
        expect(() => cbcDecrypt(alg, new Uint8Array(bad), new Uint8Array(16), ct)).toThrow(RangeError)
        expect(() => cbcDecryptNoUnpad(alg, new Uint8Array(bad), new Uint8Array(16), ct)).toThrow(RangeError)
      }
      for (const bad of [0, 8, 15, 17, 32]) {
        expect(() => cbcEncrypt(alg, new Uint8Array(k), new Uint8Array(bad), ct)).toThrow(RangeError)
        expect(() => cbcDecrypt(alg, new Uint8Array(k), new Uint8Array(bad), ct)).toThrow(RangeError)
        expect(() => cbcDecryptNoUnpad(alg, new Uint8Array(k), new Uint8Array(bad), ct)).toThrow(RangeError)
      }
    })
  }
})

describe('strictUnpad', () => {
  function block(fill: number, tail: number[]): Uint8Array {
    const b = new Uint8Array(32).fill(fill)
    b.set(tail, 32 - tail.length)
    return b
  }

  it('accepts every valid pad length 1..16 and returns a copy', () => {
    for (let n = 1; n <= 16; n++) {
      const b = block(0x41, new Array<number>(n).fill(n))
      const out = strictUnpad(b)
      expect(out.length).toBe(32 - n)
      expect(out.every((x) => x === 0x41)).toBe(true)
      out[0] = 0
      expect(b[0]).toBe(0x41)
    }
    expect(strictUnpad(new Uint8Array(16).fill(16)).length).toBe(0)
    const buf = Buffer.from(block(0x41, [1]))
    const fromBuf = strictUnpad(buf)
    fromBuf[0] = 0
    expect(buf[0]).toBe(0x41)
  })

  it('rejects n = 0', () => {
    expect(() => strictUnpad(block(0x41, [0]))).toThrow(PaddingError)
    expect(() => strictUnpad(new Uint8Array(16))).toThrow(PaddingError)
  })

  it('rejects n > 16 even when the bytes are consistent', () => {
    for (const n of [17, 18, 32, 0x80, 0xff]) {
      expect(() => strictUnpad(block(n, [n]))).toThrow(PaddingError)
    }
    expect(() => strictUnpad(new Uint8Array(32).fill(17))).toThrow(PaddingError)
  })

  it('rejects any single mismatched pad byte, at every position and pad length', () => {
    for (let n = 2; n <= 16; n++) {
      for (let pos = 1; pos < n; pos++) {
        for (const wrong of [0, n - 1, n + 1, 0xff]) {
          const b = block(n, new Array<number>(n).fill(n)) // filler equal to n: only the tampered byte is wrong
          b[31 - pos] = wrong
          expect(() => strictUnpad(b), `n=${n} pos=${pos} wrong=${wrong}`).toThrow(PaddingError)
        }
      }
    }
  })

  it('rejects lengths that are not a non-zero multiple of 16', () => {
    for (const len of [0, 1, 15, 17, 31, 33]) {
      expect(() => strictUnpad(new Uint8Array(len).fill(1))).toThrow(PaddingError)
    }
  })

  it('PaddingError is an Error with its own name', () => {
    try {
      strictUnpad(new Uint8Array(0))
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(Error)
      expect(e).toBeInstanceOf(PaddingError)
      expect((e as Error).name).toBe('PaddingError')
    }
  })
})

describe('cbcDecrypt rejects malformed ciphertext and padding', () => {
  for (const alg of ALGS) {
    const key = new Uint8Array(keyLengthOf(alg)).fill(0x5a)
    const iv = new Uint8Array(16).fill(0xa5)

    it(`${alg}: empty input and partial blocks`, () => {
      for (const len of [0, 1, 15, 17, 33]) {
        expect(() => cbcDecrypt(alg, key, iv, new Uint8Array(len))).toThrow(PaddingError)
      }
      for (const len of [1, 15, 17]) {
        expect(() => cbcDecryptNoUnpad(alg, key, iv, new Uint8Array(len))).toThrow(PaddingError)
      }
      expect(cbcDecryptNoUnpad(alg, key, iv, new Uint8Array(0)).length).toBe(0)
    })

    it(`${alg}: plaintexts with bad padding, encrypted without padding, are rejected`, () => {
      // Build the raw padded plaintext ourselves, then encrypt it as if it were data: strip our own padding
      // block from cbcEncrypt's output (the raw input is a whole number of blocks, so the last block is 16×0x10).
      const rawEncrypt = (raw: Uint8Array): Uint8Array => cbcEncrypt(alg, key, iv, raw).subarray(0, raw.length)
      const cases: [string, Uint8Array][] = [
        ['n = 0', block(0x30, [0])],
        ['n = 17', block(0x11, [0x11])],
        ['n = 255', block(0xff, [0xff])],
        ['mismatch', block(0x30, [3, 4, 4, 4])],
        ['mismatch far', block(0x30, [1, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16])],
      ]
      for (const [name, raw] of cases) {
        const ct = rawEncrypt(raw)
        expect(toHex(cbcDecryptNoUnpad(alg, key, iv, ct)), name).toBe(toHex(raw))
        expect(() => cbcDecrypt(alg, key, iv, ct), name).toThrow(PaddingError)
      }
      // and a valid one goes through
      expect(toHex(cbcDecrypt(alg, key, iv, rawEncrypt(block(0x30, [4, 4, 4, 4]))))).toBe('30'.repeat(28))
    })
  }

  function block(fill: number, tail: number[]): Uint8Array {
    const b = new Uint8Array(32).fill(fill)
    b.set(tail, 32 - tail.length)
    return b
  }
})
