import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { children, readOid, readSingle, readSmallInteger, TAG, toHex, type Tlv } from '../../main/core/asn1/der'
import { parseCertificate } from '../../main/core/npki/certificate'
import { exportPfx, importPfx, PFX_ITERATIONS } from '../../main/core/npki/pfx'
import { OID } from '../../main/core/npki/pfx/oids'
import { parsePfxOuter } from '../../main/core/npki/pfx/structure'
import { opensslModulus } from '../support/openssl'
import { codeOf, FIXTURE_RANDOM_NUM_OPENSSL, hong, opensslInfo, pypinksign, randomPassword, RANDOM_NUM_OID, scratch, type Scratch } from './helpers'

let s: Scratch
beforeAll(() => {
  s = scratch()
})
afterAll(() => s.cleanup())

const kids = (t: Tlv): Tlv[] => children(t)

/** ContentInfos of the authSafe: [type OID, content] each. */
function contentInfos(pfx: Uint8Array): Array<{ type: string; content: Tlv }> {
  const outer = parsePfxOuter(pfx)
  return kids(readSingle(outer.authSafe, TAG.SEQUENCE)).map((ci) => {
    const [type, wrap] = kids(ci)
    return { type: readOid(type!), content: kids(wrap!)[0]! }
  })
}

function bagsOf(safeContentsDer: Uint8Array): Array<{ id: string; value: Tlv; attrs: string[] }> {
  return kids(readSingle(safeContentsDer, TAG.SEQUENCE)).map((bag) => {
    const [id, wrap, attrs] = kids(bag)
    return { id: readOid(id!), value: kids(wrap!)[0]!, attrs: attrs ? kids(attrs).map((a) => readOid(kids(a)[0]!)) : [] }
  })
}

describe('bank profile', () => {
  const password = randomPassword()
  let pfx: Uint8Array
  beforeAll(() => {
    pfx = exportPfx({ cert: hong.signCert(), pkcs8: hong.signPkcs8(), password, profile: 'bank' })
  })

  it('has the bank layout: one data ContentInfo, plain certBag + 3DES key bag, localKeyID only, SHA-1 MAC', () => {
    const outer = parsePfxOuter(pfx)
    expect(outer.mac).toMatchObject({ hash: 'sha1', iterations: PFX_ITERATIONS })
    expect(outer.mac!.salt).toHaveLength(8)
    const cis = contentInfos(pfx)
    expect(cis.map((c) => c.type)).toEqual([OID.data])
    const bags = bagsOf(cis[0]!.content.value)
    expect(bags.map((b) => b.id)).toEqual([OID.certBag, OID.pkcs8ShroudedKeyBag])
    for (const b of bags) expect(b.attrs).toEqual([OID.localKeyId]) // no friendlyName
    const [algId] = kids(bags[1]!.value)
    const [oid, params] = kids(algId!)
    expect(readOid(oid!)).toBe(OID.pbeSha1TripleDes)
    const [salt, iter] = kids(params!)
    expect(salt!.value).toHaveLength(8)
    expect(readSmallInteger(iter!)).toBe(2048)
  })

  it('opens with openssl pkcs12 -info (legacy provider) and keeps randomNum in the Key Attributes', () => {
    const info = opensslInfo(pfx, password, true)
    expect(info).toContain('Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048')
    expect(info).toContain('MAC: sha1, Iteration 2048')
    expect(info).toMatch(/Key Attributes\s*\n\s*1\.2\.410\.200004\.10\.1\.1\.3: 6E D5 31 18/)
    expect(info).toContain(`${RANDOM_NUM_OID}: ${FIXTURE_RANDOM_NUM_OPENSSL}`)
    expect(info).not.toMatch(/friendlyName/)
    // The key OpenSSL extracts is the fixture's key.
    const keyPem = info.slice(info.indexOf('-----BEGIN PRIVATE KEY-----'), info.indexOf('-----END PRIVATE KEY-----') + 25)
    const keyFile = s.write('bank-key.pem', keyPem)
    const certFile = s.write('bank-cert.der', hong.signCert())
    expect(opensslModulus('rsa', keyFile, 'PEM')).toBe(opensslModulus('x509', certFile))
  })

  it('round-trips to byte-identical PKCS#8 and certificate', () => {
    const back = importPfx(pfx, password)
    expect(back.pairs).toHaveLength(1)
    expect(toHex(back.pairs[0]!.pkcs8)).toBe(toHex(hong.signPkcs8()))
    expect(toHex(back.pairs[0]!.cert)).toBe(toHex(hong.signCert()))
    expect(back.pairs[0]!.role).toBe('sign')
    expect(back.extraCerts).toEqual([])
  })

  it('uses the SubjectKeyIdentifier as localKeyID when the certificate has one', () => {
    const pw = randomPassword()
    const out = exportPfx({ cert: pypinksign.cert(), pkcs8: pypinksign.pkcs8(), password: pw, profile: 'bank' })
    expect(importPfx(out, pw).pairs[0]!.localKeyIdHex).toBe(parseCertificate(pypinksign.cert()).subjectKeyIdentifierHex)
    expect(parseCertificate(pypinksign.cert()).subjectKeyIdentifierHex).toBe('a9ab98bd24851ecd625f1fdd790b54aa8c817ef6')
    expect(opensslInfo(out, pw, true)).toContain(`${RANDOM_NUM_OID}: 78 58 B4 32`)
  })

  it('falls back to SHA-1 of the public key bits without a SubjectKeyIdentifier', () => {
    expect(parseCertificate(hong.signCert()).subjectKeyIdentifierHex).toBeUndefined()
    // RFC 5280 method 1, the value yessign's SKI uses (checked on the PyPinkSign certificate above).
    expect(importPfx(pfx, password).pairs[0]!.localKeyIdHex).toBe('97c5acd07216aeb1ab82b690c6ce2aa27a0fdf9c')
  })

  it('makes a fresh salt every time', () => {
    const again = exportPfx({ cert: hong.signCert(), pkcs8: hong.signPkcs8(), password, profile: 'bank' })
    expect(toHex(again)).not.toBe(toHex(pfx))
    expect(again).toHaveLength(pfx.length)
  })
})

describe('modern profile', () => {
  const password = randomPassword()
  let pfx: Uint8Array
  beforeAll(() => {
    pfx = exportPfx({ cert: hong.signCert(), pkcs8: hong.signPkcs8(), password, profile: 'modern' })
  })

  it('encrypts certificates and key with PBES2/AES-256 and uses a SHA-256 MAC', () => {
    expect(parsePfxOuter(pfx).mac).toMatchObject({ hash: 'sha256', iterations: 2048 })
    const cis = contentInfos(pfx)
    expect(cis.map((c) => c.type)).toEqual([OID.encryptedData, OID.data])
    const bags = bagsOf(cis[1]!.content.value)
    expect(bags.map((b) => b.id)).toEqual([OID.pkcs8ShroudedKeyBag])
    expect(readOid(kids(kids(bags[0]!.value)[0]!)[0]!)).toBe(OID.pbes2)
  })

  it('opens with openssl pkcs12 -info without the legacy provider, randomNum kept', () => {
    const info = opensslInfo(pfx, password, false)
    expect(info).toContain('PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256')
    expect(info).toContain('Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256')
    expect(info).toContain('MAC: sha256, Iteration 2048')
    expect(info).toContain(`${RANDOM_NUM_OID}: ${FIXTURE_RANDOM_NUM_OPENSSL}`)
  })

  it('round-trips to byte-identical PKCS#8 and certificate', () => {
    const back = importPfx(pfx, password)
    expect(toHex(back.pairs[0]!.pkcs8)).toBe(toHex(hong.signPkcs8()))
    expect(toHex(back.pairs[0]!.cert)).toBe(toHex(hong.signCert()))
  })
})

describe('with the km pair', () => {
  for (const profile of ['bank', 'modern'] as const) {
    it(`${profile}: two keys with distinct localKeyIDs, sign first, both byte-exact`, () => {
      const password = randomPassword()
      const pfx = exportPfx({ cert: hong.signCert(), pkcs8: hong.signPkcs8(), password, profile, km: { cert: hong.kmCert(), pkcs8: hong.kmPkcs8() } })
      const back = importPfx(pfx, password)
      expect(back.pairs.map((p) => p.role)).toEqual(['sign', 'km'])
      expect(back.pairs[0]!.localKeyIdHex).not.toBe(back.pairs[1]!.localKeyIdHex)
      expect(toHex(back.pairs[1]!.pkcs8)).toBe(toHex(hong.kmPkcs8()))
      expect(toHex(back.pairs[1]!.cert)).toBe(toHex(hong.kmCert()))
      const info = opensslInfo(pfx, password, profile === 'bank')
      expect(info.match(/-----BEGIN PRIVATE KEY-----/g)).toHaveLength(2)
      const ids = [...info.matchAll(/localKeyID: ([0-9A-F ]+)/g)].map((m) => m[1]!.trim())
      expect(new Set(ids).size).toBe(2)
      expect(ids).toHaveLength(4)
    })
  }
})

describe('refusals', () => {
  it('refuses a key that does not belong to the certificate', () => {
    expect(codeOf(() => exportPfx({ cert: hong.signCert(), pkcs8: hong.kmPkcs8(), password: 'pw-123456', profile: 'bank' }))).toBe('KEY_MISMATCH')
  })

  it('refuses an empty password, an unknown profile and bytes that are not PKCS#8', () => {
    expect(codeOf(() => exportPfx({ cert: hong.signCert(), pkcs8: hong.signPkcs8(), password: '', profile: 'bank' }))).toBe('INVALID_INPUT')
    expect(codeOf(() => exportPfx({ cert: hong.signCert(), pkcs8: hong.signPkcs8(), password: 'x', profile: 'x' as 'bank' }))).toBe('INVALID_INPUT')
    expect(codeOf(() => exportPfx({ cert: hong.signCert(), pkcs8: hong.signCert(), password: 'x', profile: 'bank' }))).toBe('INVALID_INPUT')
    expect(codeOf(() => exportPfx({ cert: hong.signPkcs8(), pkcs8: hong.signPkcs8(), password: 'x', profile: 'bank' }))).toBe('CORRUPT_FILE')
  })

  it('refuses a km pair of another holder or with swapped roles', () => {
    const km = { cert: pypinksign.cert(), pkcs8: pypinksign.pkcs8() }
    expect(codeOf(() => exportPfx({ cert: hong.signCert(), pkcs8: hong.signPkcs8(), password: 'x', profile: 'bank', km }))).toBe('INVALID_INPUT')
    const swapped = { cert: hong.kmCert(), pkcs8: hong.kmPkcs8(), password: 'x', profile: 'bank' as const, km: { cert: hong.signCert(), pkcs8: hong.signPkcs8() } }
    expect(codeOf(() => exportPfx(swapped))).toBe('INVALID_INPUT')
  })
})
