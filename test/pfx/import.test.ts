import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DojangError } from '../../common/errors'
import { children, concat, encodeLength, readSingle, TAG, toHex } from '../../main/core/asn1/der'
import { pkcs12Password } from '../../main/core/crypto/pkcs12kdf'
import { parsePrivateKeyInfo } from '../../main/core/npki/pkcs8'
import { exportPfx, importPfx } from '../../main/core/npki/pfx'
import { OID } from '../../main/core/npki/pfx/oids'
import { encryptedPrivateKeyInfo, encryptPkcs12TripleDes } from '../../main/core/npki/pfx/pbe'
import { certBagValue, dataContentInfo, pfxWithMac, safeBag, safeContents } from '../../main/core/npki/pfx/structure'
import { fixture, FIXTURE_PASSWORD, PYPINKSIGN_PASSWORD } from '../support/fixtures'
import { openssl } from '../support/openssl'
import { codeOf, errorOf, hong, newSelfSigned, oidRanges, opensslPfx, pemPair, pypinksign, randomPassword, scratch, type Scratch } from './helpers'

let s: Scratch
let hongPem: { cert: string; key: string }
beforeAll(() => {
  s = scratch()
  hongPem = pemPair(s, 'hong', hong.signCert(), hong.signPkcs8())
})
afterAll(() => s.cleanup())

/** The fixture key without its attributes: what a PFX that went through OpenSSL's key object carries. */
function sameKeyMaterial(a: Uint8Array, b: Uint8Array): boolean {
  return toHex(parsePrivateKeyInfo(a).rsa!.d) === toHex(parsePrivateKeyInfo(b).rsa!.d)
}

describe('the PFX fixtures', () => {
  it('bank-style fixture: exact PKCS#8 with randomNum, role sign, localKeyID kept', () => {
    const r = importPfx(fixture('pfx', 'bankstyle_3des_randomnum.pfx'), FIXTURE_PASSWORD)
    expect(r.pairs).toHaveLength(1)
    const [p] = r.pairs
    expect(toHex(p!.pkcs8)).toBe(toHex(hong.signPkcs8()))
    expect(toHex(p!.cert)).toBe(toHex(hong.signCert()))
    expect(p!.role).toBe('sign')
    expect(p!.localKeyIdHex).toBe('a6c696bda9d4567d46b27c90b98fe2ae505a972f')
    expect(toHex(parsePrivateKeyInfo(p!.pkcs8).randomNum!)).toBe('6ed531186d75fa610ce2fffa66e438b0a911e1c8')
  })

  it('PyPinkSign sample (1024 iterations): exact PKCS#8 with randomNum', () => {
    const r = importPfx(fixture('public-samples', 'pypinksign', 'sample.pfx'), PYPINKSIGN_PASSWORD)
    expect(toHex(r.pairs[0]!.pkcs8)).toBe(toHex(pypinksign.pkcs8()))
    expect(toHex(r.pairs[0]!.cert)).toBe(toHex(pypinksign.cert()))
    expect(r.pairs[0]!.localKeyIdHex).toBe('a9ab98bd24851ecd625f1fdd790b54aa8c817ef6')
    expect(toHex(parsePrivateKeyInfo(r.pairs[0]!.pkcs8).randomNum!)).toBe('7858b4328390805129f01c97fe6ca4a520cbd479')
  })

  it('OpenSSL 3 default fixture (AES-256, SHA-256 MAC): same key, randomNum lost', () => {
    const r = importPfx(fixture('pfx', 'openssl3_default_aes256.pfx'), FIXTURE_PASSWORD)
    expect(toHex(r.pairs[0]!.cert)).toBe(toHex(hong.signCert()))
    expect(parsePrivateKeyInfo(r.pairs[0]!.pkcs8).randomNum).toBeUndefined()
    expect(sameKeyMaterial(r.pairs[0]!.pkcs8, hong.signPkcs8())).toBe(true)
  })

  it('wrong password → WRONG_PASSWORD for each fixture', () => {
    expect(codeOf(() => importPfx(fixture('pfx', 'bankstyle_3des_randomnum.pfx'), 'wrong'))).toBe('WRONG_PASSWORD')
    expect(codeOf(() => importPfx(fixture('pfx', 'openssl3_default_aes256.pfx'), FIXTURE_PASSWORD + ' '))).toBe('WRONG_PASSWORD')
    expect(codeOf(() => importPfx(fixture('public-samples', 'pypinksign', 'sample.pfx'), ''))).toBe('WRONG_PASSWORD')
  })
})

describe('PFX files made by OpenSSL at test time', () => {
  const variants: Array<{ name: string; args: string[]; legacy?: boolean }> = [
    { name: 'default (PBES2/AES-256, SHA-256 MAC)', args: [] },
    { name: 'legacy 3DES for key and certificate, SHA-1 MAC', args: ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], legacy: true },
    { name: '3DES key, plain certificate, 1024 iterations', args: ['-certpbe', 'NONE', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-iter', '1024'], legacy: true },
    { name: 'SHA-512 MAC', args: ['-macalg', 'sha512'] },
    { name: 'PBES2 with AES-128 and a friendly name', args: ['-keypbe', 'AES-128-CBC', '-certpbe', 'AES-128-CBC', '-name', 'hong'] },
    { name: 'unencrypted key bag, no MAC iteration', args: ['-keypbe', 'NONE', '-certpbe', 'NONE', '-nomaciter'] },
    { name: 'no MAC at all', args: ['-nomac'] },
  ]
  it.each(variants)('$name', ({ args, legacy }) => {
    const password = randomPassword()
    const pfx = opensslPfx(s, 'v.p12', password, ['-in', hongPem.cert, '-inkey', hongPem.key, ...args], legacy)
    const r = importPfx(pfx, password)
    expect(r.pairs).toHaveLength(1)
    expect(toHex(r.pairs[0]!.cert)).toBe(toHex(hong.signCert()))
    expect(sameKeyMaterial(r.pairs[0]!.pkcs8, hong.signPkcs8())).toBe(true)
    if (!args.includes('-nomac')) expect(codeOf(() => importPfx(pfx, password + 'x'))).toBe('WRONG_PASSWORD')
  })

  it('a non-ASCII password (the MAC uses the UTF-16 BMPString, PBES2 the UTF-8 bytes)', () => {
    const password = `공동인증서-${randomBytes(4).toString('hex')}`
    for (const args of [[], ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']]) {
      const pfx = opensslPfx(s, 'ko.p12', password, ['-in', hongPem.cert, '-inkey', hongPem.key, ...args], args.length > 0)
      expect(toHex(importPfx(pfx, password).pairs[0]!.cert)).toBe(toHex(hong.signCert()))
    }
  })

  it('extra CA certificates come back as extraCerts', () => {
    const caPem = s.path('ca.pem')
    openssl(['x509', '-inform', 'DER', '-out', caPem], { input: fixture('ca', 'testsignCA.der') })
    const password = randomPassword()
    const pfx = opensslPfx(s, 'chain.p12', password, ['-in', hongPem.cert, '-inkey', hongPem.key, '-certfile', caPem])
    const r = importPfx(pfx, password)
    expect(r.pairs).toHaveLength(1)
    expect(r.extraCerts.map(toHex)).toEqual([toHex(fixture('ca', 'testsignCA.der'))])
  })

  it('a certificate-only PFX (-nokeys) → NOT_FOUND that says so', () => {
    const password = randomPassword()
    const pfx = opensslPfx(s, 'certonly.p12', password, ['-in', hongPem.cert, '-nokeys'])
    const e = errorOf(() => importPfx(pfx, password))
    expect(e.code).toBe('NOT_FOUND')
    expect(e.message).toMatch(/certificates only/)
  })

  it('a key without its certificate (-nocerts) → NOT_FOUND', () => {
    const password = randomPassword()
    const pfx = opensslPfx(s, 'keyonly.p12', password, ['-inkey', hongPem.key, '-nocerts'])
    expect(codeOf(() => importPfx(pfx, password))).toBe('NOT_FOUND')
  })

  it('RC2-40 encrypted certificates: read when the runtime has RC2, else UNSUPPORTED_ALGORITHM naming the OID', () => {
    const password = randomPassword()
    const pfx = opensslPfx(s, 'rc2.p12', password, ['-in', hongPem.cert, '-inkey', hongPem.key, '-certpbe', 'PBE-SHA1-RC2-40', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], true)
    try {
      const r = importPfx(pfx, password)
      expect(toHex(r.pairs[0]!.cert)).toBe(toHex(hong.signCert()))
    } catch (e) {
      expect(e).toBeInstanceOf(DojangError)
      expect((e as DojangError).code).toBe('UNSUPPORTED_ALGORITHM')
      expect((e as DojangError).details.oid).toBe(OID.pbeSha1Rc2_40)
      expect((e as DojangError).message).toMatch(/pbewithSHAAnd40BitRC2-CBC/)
    }
  })
})

/** A hand-made bank-style PFX holding any list of (cert, key) pairs, for layouts no tool writes. */
function craft(pairs: Array<{ cert: Uint8Array; pkcs8: Uint8Array; id?: Uint8Array }>, password: string, iterations = 2048): Uint8Array {
  const bmp = pkcs12Password(password)
  const bags = pairs.flatMap((p, i) => {
    const id = p.id ?? Uint8Array.of(i + 1)
    const key = encryptPkcs12TripleDes(p.pkcs8, bmp, Uint8Array.from(randomBytes(8)), iterations)
    return [safeBag(OID.certBag, certBagValue(p.cert), id), safeBag(OID.pkcs8ShroudedKeyBag, encryptedPrivateKeyInfo(key), id)]
  })
  return pfxWithMac(safeContents([dataContentInfo(safeContents(bags))]), { hash: 'sha1', bmpPassword: bmp, salt: Uint8Array.from(randomBytes(8)), iterations })
}

/** The RSAPrivateKey inside a PrivateKeyInfo (PKCS#1): valid DER, but not what a key bag must hold. */
function parsePrivateKeyInfoBytes(pkcs8: Uint8Array): Uint8Array {
  const top = children(readSingle(pkcs8, TAG.SEQUENCE))
  return top[2]!.value
}

describe('several keys', () => {
  it('two unrelated keys → INVALID_INPUT with a clear message', () => {
    const a = newSelfSigned(s, 'a', '/CN=Alice/O=test', 'digitalSignature')
    const b = newSelfSigned(s, 'b', '/CN=Bob/O=test', 'digitalSignature')
    const password = randomPassword()
    const e = errorOf(() => importPfx(craft([a, b], password), password))
    expect(e.code).toBe('INVALID_INPUT')
    expect(e.message).toMatch(/2 private keys .* not the signing and key-management pair/)
  })

  it('a sign + km pair of one holder imports with the sign pair first, whatever the order in the file', () => {
    const password = randomPassword()
    const pfx = craft([{ cert: hong.kmCert(), pkcs8: hong.kmPkcs8() }, { cert: hong.signCert(), pkcs8: hong.signPkcs8() }], password)
    const r = importPfx(pfx, password)
    expect(r.pairs.map((p) => p.role)).toEqual(['sign', 'km'])
    expect(toHex(r.pairs[0]!.pkcs8)).toBe(toHex(hong.signPkcs8()))
    expect(toHex(r.pairs[1]!.pkcs8)).toBe(toHex(hong.kmPkcs8()))
  })

  it('pairs by modulus when the localKeyIDs do not match', () => {
    const password = randomPassword()
    const bmp = pkcs12Password(password)
    const key = encryptPkcs12TripleDes(hong.signPkcs8(), bmp, Uint8Array.from(randomBytes(8)), 2048)
    const bags = [safeBag(OID.certBag, certBagValue(hong.signCert()), Uint8Array.of(1)), safeBag(OID.pkcs8ShroudedKeyBag, encryptedPrivateKeyInfo(key), Uint8Array.of(2))]
    const pfx = pfxWithMac(safeContents([dataContentInfo(safeContents(bags))]), { hash: 'sha1', bmpPassword: bmp, salt: new Uint8Array(8), iterations: 1 })
    expect(toHex(importPfx(pfx, password).pairs[0]!.cert)).toBe(toHex(hong.signCert()))
  })

  it('a key whose certificate is missing while another certificate is there → KEY_MISMATCH', () => {
    const password = randomPassword()
    const pfx = craft([{ cert: pypinksign.cert(), pkcs8: hong.signPkcs8() }], password)
    expect(codeOf(() => importPfx(pfx, password))).toBe('KEY_MISMATCH')
  })
})

describe('damaged and foreign input', () => {
  const bank = () => fixture('pfx', 'bankstyle_3des_randomnum.pfx')

  it('not a PFX at all → CORRUPT_FILE', () => {
    for (const bytes of [new Uint8Array(0), hong.signCert(), hong.signPkcs8(), fixture('public-samples', 'pypinksign', 'signPri.key'), new TextEncoder().encode('-----BEGIN PKCS12-----\n')]) {
      expect(codeOf(() => importPfx(bytes, FIXTURE_PASSWORD))).toBe('CORRUPT_FILE')
    }
  })

  it('truncated at any length → CORRUPT_FILE', () => {
    const pfx = bank()
    for (let len = 0; len < pfx.length; len += 37) expect(codeOf(() => importPfx(pfx.subarray(0, len), FIXTURE_PASSWORD))).toBe('CORRUPT_FILE')
    expect(codeOf(() => importPfx(pfx.subarray(0, pfx.length - 1), FIXTURE_PASSWORD))).toBe('CORRUPT_FILE')
  })

  it('trailing junk → CORRUPT_FILE; a trailing newline is tolerated', () => {
    expect(codeOf(() => importPfx(concat(bank(), Uint8Array.of(0x41)), FIXTURE_PASSWORD))).toBe('CORRUPT_FILE')
    expect(codeOf(() => importPfx(concat(bank(), Uint8Array.of(0x0a)), FIXTURE_PASSWORD))).toBe('OK')
  })

  /** Flips one bit at each position and checks the outcome is typed and plausible. Returns the codes seen. */
  function flipAll(original: Uint8Array, password: string, positions: number[]): Map<string, number> {
    const oids = oidRanges(original)
    const seen = new Map<string, number>()
    for (const pos of positions) {
      const bytes = original.slice()
      bytes[pos]! ^= 1 << pos % 8
      let code: string
      try {
        importPfx(bytes, password)
        code = 'OK'
      } catch (e) {
        if (!(e instanceof DojangError)) throw new Error(`untyped exception at byte ${pos}: ${String(e)}`)
        code = e.code
      }
      seen.set(code, (seen.get(code) ?? 0) + 1)
      // A flipped OID names an algorithm we do not know; that is the honest answer for it.
      if (code === 'UNSUPPORTED_ALGORITHM') expect(oids.some(([a, b]) => pos >= a && pos < b), `byte ${pos}`).toBe(true)
      else expect(['CORRUPT_FILE', 'WRONG_PASSWORD'], `byte ${pos}`).toContain(code)
    }
    return seen
  }
  const every = (n: number) => Array.from({ length: n }, (_, i) => i)

  // One iteration keeps the exhaustive runs fast; the layouts are those of real files.
  const layouts: Array<{ name: string; make: (pw: string) => Uint8Array }> = [
    { name: 'OpenSSL default (PBES2 certs + key)', make: (pw) => opensslPfx(s, 'f1.p12', pw, ['-in', hongPem.cert, '-inkey', hongPem.key, '-iter', '1']) },
    {
      name: 'OpenSSL legacy (3DES certs + key)',
      make: (pw) => opensslPfx(s, 'f2.p12', pw, ['-in', hongPem.cert, '-inkey', hongPem.key, '-iter', '1', '-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], true),
    },
    { name: 'bank layout', make: (pw) => craft([{ cert: hong.signCert(), pkcs8: hong.signPkcs8() }], pw, 1) },
  ]
  it.each(layouts)('$name: a flipped bit at every byte → CORRUPT_FILE or WRONG_PASSWORD, never untyped', ({ make }) => {
    const password = randomPassword()
    const pfx = make(password)
    const seen = flipAll(pfx, password, every(pfx.length))
    // With the right password, most damage is recognised as damage rather than blamed on the password.
    expect(seen.get('CORRUPT_FILE') ?? 0).toBeGreaterThan(seen.get('WRONG_PASSWORD') ?? 0)
    expect(seen.get('OK')).toBeUndefined()
  })

  it('bank fixture (2048 iterations): sampled bit flips behave the same', () => {
    const pfx = bank()
    const positions = [...every(40), ...every(40).map((i) => pfx.length - 1 - i), ...every(30).map((i) => 40 + Math.floor((i * (pfx.length - 80)) / 30))]
    const seen = flipAll(pfx, FIXTURE_PASSWORD, positions)
    expect(seen.get('OK')).toBeUndefined()
  })

  it('a key bag holding something other than PKCS#8 under a verified MAC → CORRUPT_FILE', () => {
    const password = randomPassword()
    const notPkcs8 = parsePrivateKeyInfoBytes(hong.signPkcs8())
    expect(codeOf(() => importPfx(craft([{ cert: hong.signCert(), pkcs8: notPkcs8 }], password), password))).toBe('CORRUPT_FILE')
  })

  it('a damaged MAC with intact contents → CORRUPT_FILE (the password is shown to be right)', () => {
    const pfx = bank()
    pfx[pfx.length - 20]! ^= 0x01 // inside the MAC salt / digest at the end
    expect(codeOf(() => importPfx(pfx, FIXTURE_PASSWORD))).toBe('CORRUPT_FILE')
  })

  it('reads BER: indefinite lengths and a chunked OCTET STRING give the same result', () => {
    const password = randomPassword()
    const der = exportPfx({ cert: hong.signCert(), pkcs8: hong.signPkcs8(), password, profile: 'bank' })
    const ber = toIndefiniteOuter(der)
    expect(toHex(ber)).not.toBe(toHex(der))
    const r = importPfx(ber, password)
    expect(toHex(r.pairs[0]!.pkcs8)).toBe(toHex(hong.signPkcs8()))
  })

  it('refuses non-bytes and non-text passwords with INVALID_INPUT', () => {
    expect(codeOf(() => importPfx('x' as unknown as Uint8Array, 'p'))).toBe('INVALID_INPUT')
    expect(codeOf(() => importPfx(bank(), undefined as unknown as string))).toBe('INVALID_INPUT')
  })
})

/**
 * Re-encodes `PFX { version, ContentInfo { data, [0] { OCTET STRING authSafe } }, macData }` in BER the way NSS
 * does: indefinite lengths on the SEQUENCE and [0], and the authSafe OCTET STRING split into two chunks.
 */
function toIndefiniteOuter(der: Uint8Array): Uint8Array {
  const tlv = (buf: Uint8Array, pos: number) => {
    const first = buf[pos + 1]!
    const n = first & 0x80 ? first & 0x7f : 0
    let len = n ? 0 : first
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + 2 + i]!
    const start = pos + 2 + n
    return { start, end: start + len }
  }
  const top = tlv(der, 0)
  const version = der.subarray(top.start, top.start + 3)
  const ci = tlv(der, top.start + 3)
  const macData = der.subarray(ci.end, top.end)
  const oid = der.subarray(ci.start, ci.start + 11)
  const wrap = tlv(der, ci.start + 11)
  const octets = tlv(der, wrap.start)
  const content = der.subarray(octets.start, octets.end)
  const half = Math.floor(content.length / 2)
  const chunk = (c: Uint8Array) => concat(Uint8Array.of(0x04), encodeLength(c.length), c)
  const eoc = Uint8Array.of(0, 0)
  const chunked = concat(Uint8Array.of(0x24, 0x80), chunk(content.subarray(0, half)), chunk(content.subarray(half)), eoc)
  const contentInfo = concat(Uint8Array.of(0x30, 0x80), oid, Uint8Array.of(0xa0, 0x80), chunked, eoc, eoc)
  return concat(Uint8Array.of(0x30, 0x80), version, contentInfo, macData, eoc)
}
