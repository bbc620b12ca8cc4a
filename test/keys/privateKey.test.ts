import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DojangError } from '../../common/errors'
import { encodeOid, encodeSmallInteger, encodeTlv, readSingle, TAG, toHex } from '../../main/core/asn1/der'
import { parsePrivateKeyInfo } from '../../main/core/npki/pkcs8'
import { decryptPrivateKey, encryptPrivateKey, parseEncryptedKeyFile, type KeyScheme } from '../../main/core/npki/privateKey'
import { codeOfSync as codeOf } from '../support/errors'
import { FIXTURE_PASSWORD, fixture, PYPINKSIGN_PASSWORD, tempDir, VECTORS } from '../support/fixtures'
import { openssl, opensslModulus } from '../support/openssl'

const HONG = 'NPKI/testsign/USER/cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
const signPlain = fixture('plain', 'signPri.pkcs8.der')
const kmPlain = fixture('plain', 'kmPri.pkcs8.der')

/** The RSA modulus of the fixture certificate, straight from OpenSSL (independent of our parser). */
function certModulus(path: string): Uint8Array {
  return Uint8Array.from(Buffer.from(opensslModulus('x509', path), 'hex'))
}

describe('decrypting every fixture variant', () => {
  const signFiles = Object.entries(VECTORS.files).filter(([p]) => !p.endsWith('kmPri.key'))
  it.each(signFiles)('%s opens to the expected PKCS#8 bytes', (path, v) => {
    const key = decryptPrivateKey(fixture(...path.split('/')), FIXTURE_PASSWORD, { publicKey: { modulus: certModulus(join(__dirname, '../fixtures/npki', HONG, 'signCert.der')) } })
    expect(Buffer.from(key.pkcs8).equals(Buffer.from(signPlain))).toBe(true)
    expect(toHex(key.info.randomNum!)).toBe(VECTORS.randomNum)
    expect(toHex(key.file.scheme.salt)).toBe(v.salt)
    expect(key.file.scheme.iterations).toBe(v.iterations)
    expect(key.file.trailing.length).toBe(v.trailing_bytes ?? 0)
  })

  it('reads the kind of each scheme', () => {
    const kinds = Object.fromEntries(Object.keys(VECTORS.files).map((p) => [p.split('/').pop(), parseEncryptedKeyFile(fixture(...p.split('/'))).scheme]))
    expect(kinds['signPri.key']!.kind).toBe('npki-pbkdf1-seed')
    expect(kinds['signPri_legacy_seedcbc_fixediv.key']!.kind).toBe('legacy-seed-fixed-iv')
    const aes = kinds['signPri_pbes2_sha256_aes256.key'] as Extract<KeyScheme, { kind: 'pbes2' }>
    expect([aes.kind, aes.prf, aes.cipher]).toEqual(['pbes2', 'sha256', 'aes-256-cbc'])
    const sha1 = kinds['signPri_pbes2_sha1_seed.key'] as Extract<KeyScheme, { kind: 'pbes2' }>
    expect([sha1.prf, sha1.prfExplicit, sha1.cipher]).toEqual(['sha1', false, 'seed-128-cbc'])
  })

  it('opens kmPri.key, which has no randomNum', () => {
    const km = decryptPrivateKey(fixture(...`${HONG}/kmPri.key`.split('/')), FIXTURE_PASSWORD, { publicKey: { modulus: certModulus(join(__dirname, '../fixtures/npki', HONG, 'kmCert.der')) } })
    expect(Buffer.from(km.pkcs8).equals(Buffer.from(kmPlain))).toBe(true)
    expect(km.info.randomNum).toBeUndefined()
  })

  it('opens the public PyPinkSign sample and keeps its randomNum', () => {
    const key = decryptPrivateKey(fixture('public-samples', 'pypinksign', 'signPri.key'), PYPINKSIGN_PASSWORD)
    expect(Buffer.from(key.pkcs8).equals(Buffer.from(fixture('public-samples', 'pypinksign', 'signPri.plain.pkcs8.der')))).toBe(true)
    expect(toHex(key.info.randomNum!)).toBe('7858b4328390805129f01c97fe6ca4a520cbd479')
  })
})

describe('telling errors apart', () => {
  it.each(Object.keys(VECTORS.files))('%s with a wrong password is WRONG_PASSWORD', (path) => {
    expect(codeOf(() => decryptPrivateKey(fixture(...path.split('/')), 'Fixture-Pa55word?'))).toBe('WRONG_PASSWORD')
  })

  it('rejects thousands of random wrong passwords without a false accept (strict padding + DER + header)', () => {
    // PBKDF with 1 iteration keeps this fast; the acceptance logic is the same for any count.
    const file = encryptPrivateKey(signPlain, 'right-Passw0rd!', { kind: 'npki-pbkdf1-seed', salt: new Uint8Array(8), iterations: 1 })
    let accepted = 0
    for (let i = 0; i < 3000; i++) {
      if (codeOf(() => decryptPrivateKey(file, randomBytes(9).toString('base64'))) !== 'WRONG_PASSWORD') accepted++
    }
    expect(accepted).toBe(0)
  })

  it('a key from another certificate is KEY_MISMATCH, not a wrong password', () => {
    const kmModulus = certModulus(join(__dirname, '../fixtures/npki', HONG, 'kmCert.der'))
    expect(codeOf(() => decryptPrivateKey(fixture(...`${HONG}/signPri.key`.split('/')), FIXTURE_PASSWORD, { publicKey: { modulus: kmModulus } }))).toBe('KEY_MISMATCH')
  })

  it('empty, junk and certificate bytes are CORRUPT_FILE', () => {
    expect(codeOf(() => decryptPrivateKey(new Uint8Array(0), 'x'))).toBe('CORRUPT_FILE')
    expect(codeOf(() => decryptPrivateKey(Uint8Array.from(randomBytes(1300)), 'x'))).toBe('CORRUPT_FILE')
    expect(codeOf(() => decryptPrivateKey(fixture(...`${HONG}/signCert.der`.split('/')), 'x'))).toBe('CORRUPT_FILE')
    expect(codeOf(() => decryptPrivateKey(new TextEncoder().encode('my password is 1234\n'), 'x'))).toBe('CORRUPT_FILE')
  })

  it('every truncation is CORRUPT_FILE', () => {
    const good = fixture(...`${HONG}/signPri.key`.split('/'))
    for (let len = 0; len < good.length; len += 7) {
      expect(codeOf(() => decryptPrivateKey(good.subarray(0, len), FIXTURE_PASSWORD))).toBe('CORRUPT_FILE')
    }
  })

  it('a flipped bit never opens silently and never throws anything untyped', () => {
    const good = fixture(...`${HONG}/signPri.key`.split('/'))
    const file = parseEncryptedKeyFile(good)
    const ctStart = good.length - file.ciphertext.length
    const seen = new Map<string, number>()
    for (let pos = 0; pos < good.length; pos += 3) {
      const bad = Uint8Array.from(good)
      bad[pos]! ^= 1 << pos % 8
      const code = codeOf(() => decryptPrivateKey(bad, FIXTURE_PASSWORD))
      seen.set(code, (seen.get(code) ?? 0) + 1)
      // After the first ciphertext block the password is recognisably right, so damage must say so.
      if (pos >= ctStart + 16) expect(code, `flip at ${pos}`).toBe('CORRUPT_FILE')
      else expect(['CORRUPT_FILE', 'WRONG_PASSWORD', 'UNSUPPORTED_ALGORITHM'], `flip at ${pos}`).toContain(code)
    }
    expect(seen.get('OK')).toBeUndefined()
  })

  it('an unknown or bare-IV scheme is UNSUPPORTED_ALGORITHM and names the OID', () => {
    const good = fixture(...`${HONG}/signPri.key`.split('/'))
    // Change the last arc of 1.2.410.200004.1.15 to .99.
    const bad = Uint8Array.from(good)
    const oidAt = Buffer.from(good).indexOf(Buffer.from('2a831a8c9a44010f', 'hex'))
    bad[oidAt + 7] = 99
    try {
      decryptPrivateKey(bad, FIXTURE_PASSWORD)
      expect.unreachable()
    } catch (e) {
      expect((e as DojangError).code).toBe('UNSUPPORTED_ALGORITHM')
      expect((e as DojangError).message).toContain('1.2.410.200004.1.99')
    }
    // seedCBC with a bare IV as its parameters is not password-based.
    const bareIv = encodeTlv(
      TAG.SEQUENCE,
      encodeTlv(TAG.SEQUENCE, encodeOid('1.2.410.200004.1.4'), encodeTlv(TAG.OCTET_STRING, new Uint8Array(16))),
      encodeTlv(TAG.OCTET_STRING, new Uint8Array(32)),
    )
    expect(codeOf(() => decryptPrivateKey(bareIv, 'x'))).toBe('UNSUPPORTED_ALGORITHM')
  })

  it('an absurd iteration count is refused at once instead of hanging', () => {
    const withIterations = (n: number) =>
      encodeTlv(
        TAG.SEQUENCE,
        encodeTlv(TAG.SEQUENCE, encodeOid('1.2.410.200004.1.15'), encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OCTET_STRING, new Uint8Array(8)), encodeSmallInteger(n))),
        encodeTlv(TAG.OCTET_STRING, new Uint8Array(32)),
      )
    expect(codeOf(() => decryptPrivateKey(withIterations(2_000_000_000), 'pw'))).toBe('CORRUPT_FILE')
    expect(codeOf(() => decryptPrivateKey(withIterations(0), 'pw'))).toBe('CORRUPT_FILE')
    expect(codeOf(() => decryptPrivateKey(withIterations(5), 'pw'))).toBe('WRONG_PASSWORD')
  })
})

describe('re-encrypting', () => {
  it('reproduces the PyPinkSign file byte for byte with its original salt', () => {
    const original = fixture('public-samples', 'pypinksign', 'signPri.key')
    const scheme = parseEncryptedKeyFile(original).scheme
    const again = encryptPrivateKey(fixture('public-samples', 'pypinksign', 'signPri.plain.pkcs8.der'), PYPINKSIGN_PASSWORD, scheme, { salt: scheme.salt })
    expect(Buffer.from(again).equals(Buffer.from(original))).toBe(true)
  })

  it.each(Object.keys(VECTORS.files).filter((p) => !p.includes('kmPri')))('%s: same scheme, fresh salt, exact PKCS#8, trailing bytes kept', (path) => {
    const before = decryptPrivateKey(fixture(...path.split('/')), FIXTURE_PASSWORD)
    const rewritten = encryptPrivateKey(before.pkcs8, 'New-Pa55word#', before.file.scheme, { trailing: before.file.trailing })
    const after = decryptPrivateKey(rewritten, 'New-Pa55word#')
    expect(Buffer.from(after.pkcs8).equals(Buffer.from(before.pkcs8))).toBe(true)
    expect(toHex(after.file.trailing)).toBe(toHex(before.file.trailing))
    expect(toHex(after.file.scheme.salt)).not.toBe(toHex(before.file.scheme.salt))
    const expectedKind = before.file.scheme.kind === 'legacy-seed-fixed-iv' ? 'npki-pbkdf1-seed' : before.file.scheme.kind
    expect(after.file.scheme.kind).toBe(expectedKind)
    expect(after.file.scheme.iterations).toBe(before.file.scheme.iterations)
    if (after.file.scheme.kind === 'pbes2' && before.file.scheme.kind === 'pbes2') {
      expect([after.file.scheme.prf, after.file.scheme.cipher, after.file.scheme.prfExplicit]).toEqual([before.file.scheme.prf, before.file.scheme.cipher, before.file.scheme.prfExplicit])
    }
    expect(codeOf(() => decryptPrivateKey(rewritten, FIXTURE_PASSWORD))).toBe('WRONG_PASSWORD')
  })
})

describe('interoperability with OpenSSL', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> }
  beforeAll(async () => {
    tmp = await tempDir()
  })
  afterAll(() => tmp.cleanup())

  const cases = [
    { v2: 'seed-cbc', prf: 'hmacWithSHA1' },
    { v2: 'seed-cbc', prf: 'hmacWithSHA256' },
    { v2: 'aes-128-cbc', prf: 'hmacWithSHA256' },
    { v2: 'aes-256-cbc', prf: 'hmacWithSHA256' },
    { v2: 'aes-256-cbc', prf: 'hmacWithSHA1' },
  ]

  it.each(cases)('OpenSSL PBES2 $v2/$prf with a random password opens in Dojang', ({ v2, prf }) => {
    const password = randomBytes(12).toString('base64url')
    const keyPem = join(tmp.dir, `k-${v2}-${prf}.pem`)
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', keyPem])
    const plain = openssl(['pkcs8', '-topk8', '-nocrypt', '-in', keyPem, '-outform', 'DER'])
    const enc = openssl(['pkcs8', '-topk8', '-in', keyPem, '-v2', v2, '-v2prf', prf, '-iter', '2048', '-outform', 'DER', '-passout', `pass:${password}`], { legacy: true })
    const key = decryptPrivateKey(enc, password)
    expect(Buffer.from(key.pkcs8).equals(plain)).toBe(true)
    expect(codeOf(() => decryptPrivateKey(enc, password + 'x'))).toBe('WRONG_PASSWORD')
  })

  it.each(Object.keys(VECTORS.files).filter((p) => p.includes('pbes2')))('a PBES2 key re-encrypted by Dojang (%s) opens in OpenSSL', (path) => {
    const before = decryptPrivateKey(fixture(...path.split('/')), FIXTURE_PASSWORD)
    const password = randomBytes(10).toString('hex') + '!A'
    const file = join(tmp.dir, `re-${path.split('/').pop()}`)
    writeFileSync(file, encryptPrivateKey(before.pkcs8, password, before.file.scheme))
    const pem = openssl(['pkcs8', '-inform', 'DER', '-in', file, '-passin', `pass:${password}`], { legacy: true })
    const pemFile = `${file}.pem`
    writeFileSync(pemFile, pem)
    expect(opensslModulus('rsa', pemFile, 'PEM')).toBe(opensslModulus('x509', join(__dirname, '../fixtures/npki', HONG, 'signCert.der')))
  })

  it('the 1.2.410.200004.1.15 ciphertext written by Dojang decrypts with openssl enc -seed-cbc', () => {
    const password = 'Interop-Pa55!'
    const file = encryptPrivateKey(signPlain, password)
    const parsed = parseEncryptedKeyFile(file)
    // Derive key/IV independently: PBKDF1-SHA1 by hand with node:crypto (not our kdf module).
    let dk = createHash('sha1').update(Buffer.from(password)).update(parsed.scheme.salt).digest()
    for (let i = 1; i < parsed.scheme.iterations; i++) dk = createHash('sha1').update(dk).digest()
    const key = dk.subarray(0, 16).toString('hex')
    const iv = createHash('sha1').update(dk.subarray(16, 20)).digest().subarray(0, 16).toString('hex')
    const ct = join(tmp.dir, 'ct.bin')
    writeFileSync(ct, parsed.ciphertext)
    const out = openssl(['enc', '-d', '-seed-cbc', '-K', key, '-iv', iv, '-in', ct], { legacy: true })
    expect(out.equals(Buffer.from(signPlain))).toBe(true)
  })

  it('a password typed in Korean opens a key made with CP949 password bytes', () => {
    const password = '도장비밀번호1!'
    const pwFile = join(tmp.dir, 'pw.bin')
    writeFileSync(pwFile, iconv.encode(password, 'cp949'))
    const keyPem = join(tmp.dir, 'k-cp949.pem')
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', keyPem])
    const enc = openssl(['pkcs8', '-topk8', '-in', keyPem, '-v2', 'seed-cbc', '-iter', '1000', '-outform', 'DER', '-passout', `file:${pwFile}`], { legacy: true })
    const key = decryptPrivateKey(enc, password)
    expect(key.passwordEncoding).toBe('cp949')
  })
})

describe('PKCS#8 attributes', () => {
  it('finds randomNum and leaves the DER untouched', () => {
    const info = parsePrivateKeyInfo(signPlain)
    expect(info.attributes.map((a) => a.oid)).toContain('1.2.410.200004.10.1.1.3')
    expect(readSingle(signPlain).end).toBe(signPlain.length)
    expect(readFileSync(join(__dirname, '../fixtures/npki/plain/signPri.pkcs8.der')).equals(Buffer.from(signPlain))).toBe(true)
  })
})
