import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { parseCertificate } from '../../main/core/npki/certificate'
import { computeVid, hashContentDer, normalizeIdn, verifyVid } from '../../main/core/npki/vid'
import { FIXTURES, PATHS, readFixture, vectors } from './helpers'

const SHA256 = '2.16.840.1.101.3.4.2.1'
const SHA1 = '1.3.14.3.2.26'

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'))

/** randomNum straight out of the plaintext PKCS#8 (§8.1), independent of vectors.json. */
function randomNumFromPlainKey(): Uint8Array {
  const pkcs8 = readFileSync(join(FIXTURES, 'plain', 'signPri.pkcs8.der'))
  const marker = Buffer.from('060a2a831a8c9a440a010103', 'hex') // OID 1.2.410.200004.10.1.1.3
  const at = pkcs8.indexOf(marker)
  expect(at).toBeGreaterThan(0)
  const set = at + marker.length
  expect(pkcs8[set]).toBe(0x31)
  expect(pkcs8[set + 2]).toBe(0x03) // BIT STRING
  const len = pkcs8[set + 3] as number
  expect(pkcs8[set + 4]).toBe(0x00) // no unused bits
  return new Uint8Array(pkcs8.subarray(set + 5, set + 4 + len))
}

function expectCode(fn: () => unknown, code: 'INVALID_INPUT' | 'UNSUPPORTED_ALGORITHM'): Error {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  expect(isDojangError(caught, code), `expected ${code}, got ${String(caught)}`).toBe(true)
  return caught as Error
}

describe('normalizeIdn', () => {
  it('keeps digits, drops dashes and spaces', () => {
    expect(normalizeIdn('800101-1234567')).toBe('8001011234567')
    expect(normalizeIdn(' 800101 1234567 ')).toBe('8001011234567')
    expect(normalizeIdn('123-45-67890')).toBe('1234567890')
  })

  it.each(['', '80010112345', '80010112345678', '800101-123456A', '８００１０１１２３４５６７', '800101_1234567', '123456789'])(
    'rejects %j without echoing it',
    (bad) => {
      const err = expectCode(() => normalizeIdn(bad), 'INVALID_INPUT')
      expect(err.message).not.toMatch(/\d{4}/)
      expect(JSON.stringify((err as { details?: unknown }).details)).not.toMatch(/\d{4}/)
    },
  )
})

describe('hashContentDer', () => {
  it('matches the TradeSign example of §9.2', () => {
    const hc = hashContentDer('1234567890', fromHex('89b81b454c42e6ae54fcda894e5e2cc1cf7760f4'))
    expect(hexOf(hc)).toBe('3023130a3132333435363738393003150089b81b454c42e6ae54fcda894e5e2cc1cf7760f4')
  })

  it('encodes a 13-digit IDN and a long randomNum with long-form lengths', () => {
    const r = new Uint8Array(200).fill(0xab)
    const hc = hashContentDer('8001011234567', r)
    // 30 81 db | 13 0d <13> | 03 81 c9 00 <200>
    expect(hexOf(hc.subarray(0, 5))).toBe('3081db130d')
    expect(hexOf(hc.subarray(18, 22))).toBe('0381c900')
    expect(hc.length).toBe(3 + 15 + 4 + 200)
  })

  it('rejects an empty randomNum', () => {
    expectCode(() => hashContentDer('8001011234567', new Uint8Array(0)), 'INVALID_INPUT')
  })
})

describe('computeVid', () => {
  it('reproduces the fixture VID (SHA-256)', () => {
    const v = vectors()
    expect(hexOf(randomNumFromPlainKey())).toBe(v.randomNum)
    expect(hexOf(computeVid(v.idn, fromHex(v.randomNum), SHA256))).toBe(v.vid_sha256)
  })

  it('reproduces the TradeSign VID of §9.2', () => {
    const vid = computeVid('1234567890', fromHex('89b81b454c42e6ae54fcda894e5e2cc1cf7760f4'), SHA256)
    expect(hexOf(vid)).toBe('32b620febf02b9418828d594594f8ece2abc0866e47e5a3d6c96d0c125d0a7e1')
  })

  it('supports SHA-1 by hashing twice with SHA-1', () => {
    const r = fromHex(vectors().randomNum)
    const hc = hashContentDer('8001011234567', r)
    const expected = createHash('sha1').update(createHash('sha1').update(hc).digest()).digest('hex')
    const vid = computeVid('800101-1234567', r, SHA1)
    expect(vid.length).toBe(20)
    expect(hexOf(vid)).toBe(expected)
  })

  it('rejects other hash algorithms', () => {
    const err = expectCode(() => computeVid('8001011234567', new Uint8Array([1]), '2.16.840.1.101.3.4.2.3'), 'UNSUPPORTED_ALGORITHM')
    expect(err.message).toContain('2.16.840.1.101.3.4.2.3')
  })
})

describe('verifyVid', () => {
  const sign = parseCertificate(readFixture(PATHS.sign))
  const v = vectors()
  const r = fromHex(v.randomNum)

  it('accepts the right ID number in any common spelling', () => {
    expect(verifyVid(sign, r, v.idn)).toBe(true)
    expect(verifyVid(sign, r, '800101-1234567')).toBe(true)
    expect(verifyVid(sign, randomNumFromPlainKey(), v.idn)).toBe(true)
  })

  it('rejects a wrong ID number or a wrong randomNum', () => {
    expect(verifyVid(sign, r, '8001011234568')).toBe(false)
    expect(verifyVid(sign, r, '1234567890')).toBe(false)
    const other = new Uint8Array(r)
    other[0] = (other[0] as number) ^ 1
    expect(verifyVid(sign, other, v.idn)).toBe(false)
  })

  it('returns false when the stored VID has another length', () => {
    const short = { ...sign, vid: { hashAlgOid: SHA256, value: sign.vid!.value.subarray(0, 20) } }
    expect(verifyVid(short, r, v.idn)).toBe(false)
  })

  it('uses the hash named in the certificate', () => {
    const sha1Cert = { ...sign, vid: { hashAlgOid: SHA1, value: computeVid(v.idn, r, SHA1) } }
    expect(verifyVid(sha1Cert, r, v.idn)).toBe(true)
    expect(verifyVid({ ...sign, vid: { ...sha1Cert.vid, hashAlgOid: SHA256 } }, r, v.idn)).toBe(false)
  })

  it('explains that a km certificate has no VID', () => {
    const km = parseCertificate(readFixture(PATHS.km))
    const err = expectCode(() => verifyVid(km, r, v.idn), 'INVALID_INPUT')
    expect(err.message).toMatch(/no VID/)
  })

  it('checks the PyPinkSign certificate VID with its published randomNum', () => {
    // §8.1 gives the PyPinkSign randomNum but not its ID number: a wrong IDN must simply not match.
    const pink = parseCertificate(readFixture(PATHS.pypinksign))
    expect(verifyVid(pink, fromHex('7858b4328390805129f01c97fe6ca4a520cbd479'), v.idn)).toBe(false)
  })
})
