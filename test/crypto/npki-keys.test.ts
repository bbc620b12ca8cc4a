// End to end at the crypto level: derive key and IV, decrypt the fixture key files' encryptedData with strict
// unpadding, and compare with the expected plaintext PKCS#8. (Parsing the files properly is the npki module's
// job; this test only walks the outer DER enough to find the ciphertext.)
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PaddingError, cbcDecrypt, cbcEncrypt, npkiSeedKeyIv, pbkdf1Sha1, pbkdf2, type CbcAlgorithm } from '../../main/core/crypto'
import { ascii, hex, toHex } from './helpers'

const FIXTURES = join(__dirname, '..', 'fixtures', 'npki')
const read = (p: string): Uint8Array => Uint8Array.from(readFileSync(join(FIXTURES, p)))

/** Minimal DER TLV reader: returns [tag, contentStart, contentEnd]. */
function tlv(b: Uint8Array, off: number): [number, number, number] {
  const tag = b[off]!
  let len = b[off + 1]!
  let p = off + 2
  if (len & 0x80) {
    const n = len & 0x7f
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!
  }
  return [tag, p, p + len]
}

/** EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING } → the OCTET STRING contents. */
function encryptedData(file: Uint8Array): Uint8Array {
  const [tag, start] = tlv(file, 0)
  expect(tag).toBe(0x30)
  const [algTag, , algEnd] = tlv(file, start)
  expect(algTag).toBe(0x30)
  const [octTag, s, e] = tlv(file, algEnd)
  expect(octTag).toBe(0x04)
  return file.subarray(s, e)
}

const USER = 'NPKI/testsign/USER/cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
const PASSWORD = ascii('Fixture-Pa55word!')
const WRONG = ascii('Fixture-Pa55word?')

interface KeyCase {
  file: string
  plain: string
  alg: CbcAlgorithm
  derive: (password: Uint8Array) => { key: Uint8Array; iv: Uint8Array }
}

const CASES: KeyCase[] = [
  {
    file: `${USER}/signPri.key`,
    plain: 'plain/signPri.pkcs8.der',
    alg: 'seed-128-cbc',
    derive: (p) => npkiSeedKeyIv(p, hex('fd350e6339733f7d'), 2048),
  },
  {
    file: `${USER}/kmPri.key`,
    plain: 'plain/kmPri.pkcs8.der',
    alg: 'seed-128-cbc',
    derive: (p) => npkiSeedKeyIv(p, hex('6320c745ad11a777'), 2048),
  },
  {
    file: 'variants/signPri_pbes2_sha1_seed.key',
    plain: 'plain/signPri.pkcs8.der',
    alg: 'seed-128-cbc',
    derive: (p) => ({ key: pbkdf2('sha1', p, hex('40863e9a3ba0a075'), 2048, 16), iv: hex('66cd0ab43a1a3a80a0666ef21cefeba5') }),
  },
  {
    file: 'variants/signPri_pbes2_sha256_seed.key',
    plain: 'plain/signPri.pkcs8.der',
    alg: 'seed-128-cbc',
    derive: (p) => ({ key: pbkdf2('sha256', p, hex('16715710c5c83183'), 2048, 16), iv: hex('514b4cf3d8afcf4ce57e8fc90e69bc08') }),
  },
  {
    file: 'variants/signPri_pbes2_sha256_aes256.key',
    plain: 'plain/signPri.pkcs8.der',
    alg: 'aes-256-cbc',
    derive: (p) => ({ key: pbkdf2('sha256', p, hex('a227ba2f9eba58fa'), 2048, 32), iv: hex('58006f9c289aa082181d0017fb19246d') }),
  },
  {
    file: 'variants/signPri_legacy_seedcbc_fixediv.key',
    plain: 'plain/signPri.pkcs8.der',
    alg: 'seed-128-cbc',
    derive: (p) => ({ key: pbkdf1Sha1(p, hex('c5702ba96778401f'), 2048).subarray(0, 16), iv: ascii('0123456789012345') }),
  },
  {
    file: 'variants/signPri_1.15_iter1024.key',
    plain: 'plain/signPri.pkcs8.der',
    alg: 'seed-128-cbc',
    derive: (p) => npkiSeedKeyIv(p, hex('0d6bc4c1374a31ce'), 1024),
  },
  {
    file: 'variants/signPri_1.15_trailing46.key',
    plain: 'plain/signPri.pkcs8.der',
    alg: 'seed-128-cbc',
    derive: (p) => npkiSeedKeyIv(p, hex('78636c7dffacc678'), 2048),
  },
]

describe('fixture key files decrypt to the expected PKCS#8', () => {
  for (const c of CASES) {
    it(c.file, () => {
      const ct = encryptedData(read(c.file))
      const { key, iv } = c.derive(PASSWORD)
      const plain = cbcDecrypt(c.alg, key, iv, ct)
      expect(toHex(plain)).toBe(toHex(read(c.plain)))
      // and re-encrypting with the same key and IV reproduces the file's ciphertext exactly
      expect(toHex(cbcEncrypt(c.alg, key, iv, plain))).toBe(toHex(ct))
    })
  }

  it('a wrong password fails the padding check or yields something else', () => {
    for (const c of CASES) {
      const ct = encryptedData(read(c.file))
      const { key, iv } = c.derive(WRONG)
      let plain: Uint8Array | null = null
      try {
        plain = cbcDecrypt(c.alg, key, iv, ct)
      } catch (e) {
        expect(e).toBeInstanceOf(PaddingError)
      }
      if (plain) expect(toHex(plain)).not.toBe(toHex(read(c.plain)))
    }
  })
})

describe('PyPinkSign public sample (§5.3)', () => {
  it('signPri.key decrypts to signPri.plain.pkcs8.der and re-encrypts byte for byte', () => {
    const file = read('public-samples/pypinksign/signPri.key')
    const ct = encryptedData(file)
    const { key, iv } = npkiSeedKeyIv(ascii('WTuA8Ev0lWXVFSiI!'), hex('c8ea2fa25023c285'), 2048)
    const plain = cbcDecrypt('seed-128-cbc', key, iv, ct)
    expect(toHex(plain)).toBe(toHex(read('public-samples/pypinksign/signPri.plain.pkcs8.der')))
    expect(toHex(cbcEncrypt('seed-128-cbc', key, iv, plain))).toBe(toHex(ct))
  })
})
