import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../main/core/asn1/der'
import { PaddingError } from '../../main/core/crypto/cbc'
import {
  PKCS12_ID_IV, PKCS12_ID_KEY, PKCS12_ID_MAC, pkcs12Kdf, pkcs12Password, pkcs12PasswordCandidates, type Pkcs12Hash, type Pkcs12Id,
} from '../../main/core/crypto/pkcs12kdf'
import { cbc8DecryptNoUnpad, cbc8Encrypt, strictUnpad8 } from '../../main/core/crypto/tripleDes'
import { openssl } from '../support/openssl'

/** OpenSSL's own PKCS#12 KDF. It takes the password bytes as given, so we hand it the BMPString. */
function opensslKdf(hash: Pkcs12Hash, password: Uint8Array, salt: Uint8Array, id: Pkcs12Id, iterations: number, length: number): string {
  const out = openssl([
    'kdf', '-keylen', String(length), '-kdfopt', `digest:${hash.toUpperCase()}`, '-kdfopt', `hexpass:${toHex(password)}`,
    '-kdfopt', `hexsalt:${toHex(salt)}`, '-kdfopt', `iter:${iterations}`, '-kdfopt', `id:${id}`, 'PKCS12KDF',
  ]).toString()
  return out.trim().replace(/:/g, '').toLowerCase()
}

describe('pkcs12Password (BMPString)', () => {
  it('is UTF-16BE with a two-byte terminator', () => {
    expect(toHex(pkcs12Password('ab'))).toBe('006100620000')
    expect(toHex(pkcs12Password(''))).toBe('0000')
    expect(toHex(pkcs12Password('한'))).toBe('d55c0000')
    // Outside the BMP: a surrogate pair, as OpenSSL's UTF-8 → BMP conversion produces.
    expect(toHex(pkcs12Password('😀'))).toBe('d83dde000000')
  })

  it('offers the old byte-widened form for non-ASCII text and the empty form for ""', () => {
    expect(pkcs12PasswordCandidates('abc')).toHaveLength(1)
    const ko = pkcs12PasswordCandidates('한')
    expect(ko.map(toHex)).toEqual(['d55c0000', '00ed0095009c0000'])
    expect(pkcs12PasswordCandidates('').map(toHex)).toEqual(['0000', ''])
  })
})

describe('pkcs12Kdf against OpenSSL PKCS12KDF', () => {
  const cases: Array<{ hash: Pkcs12Hash; id: Pkcs12Id; length: number; iterations: number; password: string; saltLen: number }> = [
    { hash: 'sha1', id: PKCS12_ID_KEY, length: 24, iterations: 2048, password: 'Fixture-Pa55word!', saltLen: 8 },
    { hash: 'sha1', id: PKCS12_ID_IV, length: 8, iterations: 2048, password: 'Fixture-Pa55word!', saltLen: 8 },
    { hash: 'sha1', id: PKCS12_ID_MAC, length: 20, iterations: 1024, password: 'WTuA8Ev0lWXVFSiI!', saltLen: 8 },
    { hash: 'sha256', id: PKCS12_ID_MAC, length: 32, iterations: 2048, password: 'x', saltLen: 8 },
    // Lengths over one hash output exercise the I_j update; long passwords and salts span several 64-byte blocks.
    { hash: 'sha1', id: PKCS12_ID_KEY, length: 61, iterations: 3, password: 'a'.repeat(70), saltLen: 70 },
    { hash: 'sha256', id: PKCS12_ID_KEY, length: 100, iterations: 5, password: '비밀번호 with spaces', saltLen: 20 },
    { hash: 'sha512', id: PKCS12_ID_MAC, length: 64, iterations: 2048, password: 'p', saltLen: 16 },
    { hash: 'sha384', id: PKCS12_ID_KEY, length: 97, iterations: 2, password: 'q'.repeat(130), saltLen: 1 },
    { hash: 'sha224', id: PKCS12_ID_IV, length: 16, iterations: 1, password: '', saltLen: 8 },
  ]
  it.each(cases)('$hash id $id, $length bytes, $iterations iterations, salt $saltLen', ({ hash, id, length, iterations, password, saltLen }) => {
    const salt = Uint8Array.from(randomBytes(saltLen))
    const bmp = pkcs12Password(password)
    expect(toHex(pkcs12Kdf(hash, bmp, salt, id, iterations, length))).toBe(opensslKdf(hash, bmp, salt, id, iterations, length))
  })

  it('treats an empty password byte string as no password block', () => {
    const salt = Uint8Array.from(randomBytes(8))
    expect(toHex(pkcs12Kdf('sha1', new Uint8Array(0), salt, 1, 10, 24))).toHaveLength(48)
  })

  it('refuses absurd parameters instead of hashing for minutes', () => {
    expect(() => pkcs12Kdf('sha1', pkcs12Password('a'), new Uint8Array(8), 1, 0, 24)).toThrow(RangeError)
    expect(() => pkcs12Kdf('sha1', pkcs12Password('a'), new Uint8Array(8), 1, 10_000_001, 24)).toThrow(RangeError)
    expect(() => pkcs12Kdf('md5' as Pkcs12Hash, pkcs12Password('a'), new Uint8Array(8), 1, 1, 24)).toThrow(RangeError)
  })
})

describe('Triple-DES CBC with strict padding', () => {
  it('matches openssl enc -des-ede3-cbc both ways', () => {
    const key = Uint8Array.from(randomBytes(24))
    const iv = Uint8Array.from(randomBytes(8))
    for (const len of [0, 1, 7, 8, 9, 1258]) {
      const plain = Uint8Array.from(randomBytes(len))
      const ours = cbc8Encrypt('des-ede3-cbc', key, iv, plain)
      const theirs = openssl(['enc', '-des-ede3-cbc', '-K', toHex(key), '-iv', toHex(iv)], { input: plain })
      expect(toHex(ours)).toBe(theirs.toString('hex'))
      expect(toHex(strictUnpad8(cbc8DecryptNoUnpad('des-ede3-cbc', key, iv, ours)))).toBe(toHex(plain))
    }
  })

  it('rejects bad padding and partial blocks', () => {
    expect(() => strictUnpad8(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 0))).toThrow(PaddingError)
    expect(() => strictUnpad8(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 9))).toThrow(PaddingError)
    expect(() => strictUnpad8(Uint8Array.of(1, 2, 3, 4, 5, 6, 2, 3))).toThrow(PaddingError)
    expect(() => strictUnpad8(new Uint8Array(7))).toThrow(PaddingError)
    expect(strictUnpad8(Uint8Array.of(9, 9, 9, 9, 9, 3, 3, 3))).toEqual(Uint8Array.of(9, 9, 9, 9, 9))
    expect(strictUnpad8(new Uint8Array(8).fill(8))).toEqual(new Uint8Array(0))
    expect(() => cbc8DecryptNoUnpad('des-ede3-cbc', new Uint8Array(24), new Uint8Array(8), new Uint8Array(12))).toThrow(PaddingError)
  })
})
