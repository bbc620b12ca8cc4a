import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DojangError, isDojangError } from '../../common/errors'
import {
  daysUntilExpiry,
  expiryState,
  parseCertificate,
  splitCommonName,
  type CertificateInfo,
} from '../../main/core/npki/certificate'
import { FIXTURES, PATHS, makeCert, openssl, readFixture, scratchDir, vectors, writeTemp, x509Field } from './helpers'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `Dec 27 00:00:00 2044 GMT` (OpenSSL's date format) → ISO 8601. */
function opensslDateToIso(s: string): string {
  const m = /^(\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4}) GMT$/.exec(s)
  if (!m) throw new Error(`unexpected openssl date: ${s}`)
  const month = MONTHS.indexOf(m[1] as string)
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]))).toISOString()
}

function hex(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('hex')
}

function expectCorrupt(bytes: Uint8Array): DojangError {
  let caught: unknown
  try {
    parseCertificate(bytes)
  } catch (e) {
    caught = e
  }
  expect(isDojangError(caught, 'CORRUPT_FILE'), `expected CORRUPT_FILE, got ${String(caught)}`).toBe(true)
  return caught as DojangError
}

/** Either a parsed certificate or a CORRUPT_FILE DojangError; anything else fails the test. */
function parseOrCorrupt(bytes: Uint8Array): 'ok' | 'corrupt' {
  try {
    const info = parseCertificate(bytes)
    expect(typeof info.subject).toBe('string')
    return 'ok'
  } catch (e) {
    if (isDojangError(e, 'CORRUPT_FILE')) return 'corrupt'
    throw new Error(`raw exception escaped parseCertificate: ${String(e)}`, { cause: e })
  }
}

const ALL = Object.entries(PATHS) as [keyof typeof PATHS, string][]

describe('parseCertificate: fixture signCert', () => {
  const info = parseCertificate(readFixture(PATHS.sign))

  it('reads names', () => {
    expect(info.subject).toBe('CN=홍길동()0012345678901234,OU=TESTBANK,OU=personal4IB,O=testsign,C=kr')
    expect(info.subjectRdns).toEqual([
      { type: 'C', value: 'kr' },
      { type: 'O', value: 'testsign' },
      { type: 'OU', value: 'personal4IB' },
      { type: 'OU', value: 'TESTBANK' },
      { type: 'CN', value: '홍길동()0012345678901234' },
    ])
    expect(info.commonName).toBe('홍길동()0012345678901234')
    expect(info.displayName).toBe('홍길동')
    expect(info.displayDetail).toBeUndefined()
    expect(info.issuer).toBe('CN=testsignCA SYNTHETIC FIXTURE,OU=AccreditedCA,O=testsign,C=KR')
    expect(info.issuerCommonName).toBe('testsignCA SYNTHETIC FIXTURE')
    expect(info.issuerOrganization).toBe('testsign')
    // "testsign" is not one of the §4 CAs.
    expect(info.ca).toEqual({ id: 'unknown', nameKo: 'testsign', nameEn: 'testsign' })
  })

  it('reads policy, key usage, SAN and VID', () => {
    expect(info.policyOids).toEqual(['1.2.410.200005.1.1.4'])
    expect(info.policy).toMatchObject({
      oid: '1.2.410.200005.1.1.4',
      ca: 'yessign',
      ownerType: 'personal',
      category: 'restricted',
      purposeKo: '은행·신용카드·보험용',
      purposeEn: 'Banking, credit card and insurance',
      known: true,
      conflict: false,
    })
    expect(info.keyUsage).toEqual(['digitalSignature', 'nonRepudiation'])
    expect(info.kind).toBe('sign')
    expect(info.sanRealName).toBe(vectors().realName)
    expect(info.vid?.hashAlgOid).toBe('2.16.840.1.101.3.4.2.1')
    expect(hex(info.vid?.value)).toBe(vectors().vid_sha256)
    expect(info.isSelfSigned).toBe(false)
    expect(info.subjectKeyIdentifierHex).toBeUndefined()
    expect(info.authorityKeyIdentifierHex).toBeUndefined()
  })

  it('keeps the exact DER and is JSON-serialisable', () => {
    expect(Buffer.from(info.der).equals(readFileSync(PATHS.sign))).toBe(true)
    const round = JSON.parse(JSON.stringify(info)) as Record<string, unknown>
    expect(round.subject).toBe(info.subject)
    expect(round.notAfter).toBe(info.notAfter)
  })
})

describe('parseCertificate: fixture kmCert', () => {
  const info = parseCertificate(readFixture(PATHS.km))
  it('has no SAN, key encipherment only, same subject as signCert', () => {
    expect(info.sanRealName).toBeUndefined()
    expect(info.vid).toBeUndefined()
    expect(info.keyUsage).toEqual(['keyEncipherment'])
    expect(info.kind).toBe('km')
    expect(info.subject).toBe(parseCertificate(readFixture(PATHS.sign)).subject)
    expect(info.serialNumberHex).toBe('03ea')
    expect(info.policy.oid).toBe('1.2.410.200005.1.1.4')
  })
})

describe('parseCertificate: PyPinkSign yessign test certificate', () => {
  const info = parseCertificate(readFixture(PATHS.pypinksign))
  it('reads issuer, CA, names and validity', () => {
    expect(info.issuerCommonName).toBe('yessignCA-Test Class 4')
    expect(info.issuerOrganization).toBe('yessign')
    expect(info.ca).toEqual({ id: 'yessign', nameKo: '금융결제원', nameEn: 'KFTC (yessign)' })
    expect(info.commonName).toBe('HKD(KILDONG.HONG)009104120200225191000030')
    expect(info.displayName).toBe('HKD')
    expect(info.displayDetail).toBe('KILDONG.HONG')
    expect(info.sanRealName).toBe('HKD')
    expect(info.notAfter).toBe('2020-03-25T14:59:59.000Z')
    expect(info.vid?.value.length).toBe(32)
    expect(info.kind).toBe('sign')
    expect(info.policy.purposeKo).toBe('은행·신용카드·보험용')
  })

  it('reads key identifiers like openssl', () => {
    const text = openssl(['x509', '-inform', 'DER', '-in', PATHS.pypinksign, '-noout', '-ext',
      'subjectKeyIdentifier,authorityKeyIdentifier']).toString('utf8')
    const ski = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(text)?.[1]
    const aki = /keyid:([0-9A-F:]+)/.exec(text)?.[1]
    expect(info.subjectKeyIdentifierHex).toBe(ski?.replace(/:/g, '').toLowerCase())
    expect(info.authorityKeyIdentifierHex).toBe(aki?.replace(/:/g, '').toLowerCase())
  })

  it('is expired', () => {
    expect(expiryState(info, new Date('2024-01-01T00:00:00Z'))).toBe('expired')
    expect(expiryState(info, new Date('2020-03-25T14:59:59Z'))).toBe('expiring') // notAfter is inclusive
    expect(expiryState(info, new Date('2020-03-25T15:00:00Z'))).toBe('expired')
    expect(expiryState(info, new Date('2020-02-24T14:59:59Z'))).toBe('notYetValid')
  })
})

describe('parseCertificate: CA certificate', () => {
  it('is self-signed and not an end-entity kind', () => {
    const info = parseCertificate(readFixture(PATHS.ca))
    expect(info.isSelfSigned).toBe(true)
    expect(info.subject).toBe(info.issuer)
    expect(info.kind).toBe('unknown')
    expect(info.policyOids).toEqual([])
    expect(info.policy.known).toBe(false)
  })

  it('is not self-signed when its signature is damaged', () => {
    const der = readFixture(PATHS.ca)
    der[der.length - 5] = (der[der.length - 5] as number) ^ 0x01
    const info = parseCertificate(der)
    expect(info.subject).toBe(info.issuer)
    expect(info.isSelfSigned).toBe(false)
  })
})

describe('parseCertificate agrees with openssl on every fixture', () => {
  it.each(ALL)('%s', (_name, path) => {
    const info = parseCertificate(readFixture(path))
    const modulus = x509Field(path, '-modulus').toLowerCase()
    expect(hex(info.publicKey.modulus)).toBe(modulus.replace(/^(00)+/, ''))
    expect(info.publicKey.algorithmOid).toBe('1.2.840.113549.1.1.1')
    expect(hex(info.publicKey.exponent)).toBe('010001')
    expect(info.publicKey.modulus?.[0]).not.toBe(0)
    expect(info.serialNumberHex).toBe(x509Field(path, '-serial').toLowerCase())
    expect(info.notAfter).toBe(opensslDateToIso(x509Field(path, '-enddate')))
    expect(info.notBefore).toBe(opensslDateToIso(x509Field(path, '-startdate')))
    const fp = openssl(['x509', '-inform', 'DER', '-in', path, '-noout', '-fingerprint', '-sha256']).toString().trim()
    expect(info.sha256FingerprintHex).toBe(fp.split('=')[1]?.replace(/:/g, '').toLowerCase())
  })
})

describe('PEM input', () => {
  let dir: string
  let cleanup: () => void
  beforeAll(() => ({ dir, cleanup } = scratchDir()))
  afterAll(() => cleanup())

  function pemOf(path: string): Buffer {
    return openssl(['x509', '-inform', 'DER', '-in', path, '-outform', 'PEM'])
  }

  it.each(ALL)('%s parses like the DER', (_name, path) => {
    const pem = pemOf(path)
    expect(pem.toString('latin1').startsWith('-----BEGIN CERTIFICATE-----')).toBe(true)
    const fromPem = parseCertificate(new Uint8Array(pem))
    const fromDer = parseCertificate(readFixture(path))
    expect(Buffer.from(fromPem.der).equals(Buffer.from(fromDer.der))).toBe(true)
    expect(fromPem).toEqual(fromDer)
  })

  it('accepts a BOM, leading whitespace, CRLF line ends and a chain (takes the first)', () => {
    const sign = pemOf(PATHS.sign).toString('latin1').replace(/\n/g, '\r\n')
    const ca = pemOf(PATHS.ca).toString('latin1')
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(' \r\n\t' + sign + ca, 'latin1')])
    expect(parseCertificate(new Uint8Array(bytes)).commonName).toBe('홍길동()0012345678901234')
  })

  it('accepts a PEM file written to disk by openssl', () => {
    const p = join(dir, 'sign.pem')
    openssl(['x509', '-inform', 'DER', '-in', PATHS.sign, '-outform', 'PEM', '-out', p])
    expect(parseCertificate(readFixture(p)).serialNumberHex).toBe('03e9')
  })

  it('rejects other PEM types and stays fast on junk made of BEGIN lines', () => {
    const csr = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'
    expect(expectCorrupt(new Uint8Array(Buffer.from(csr))).details.pemLabel).toBe('CERTIFICATE REQUEST')
    const junk = Buffer.from('-----BEGIN CERTIFICATE-----\n'.repeat(30_000))
    const t0 = Date.now()
    expectCorrupt(new Uint8Array(junk))
    expect(Date.now() - t0).toBeLessThan(1000)
  })

  it('rejects a PEM private key, bad base64, a missing END line and an empty block', () => {
    const key = readFileSync(join(FIXTURES, 'plain', 'signPri.pkcs8.der')).toString('base64')
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${key}\n-----END PRIVATE KEY-----\n`
    const err = expectCorrupt(new Uint8Array(Buffer.from(keyPem)))
    expect(err.details.pemLabel).toBe('PRIVATE KEY')
    const good = pemOf(PATHS.sign).toString('latin1')
    expectCorrupt(new Uint8Array(Buffer.from(good.replace(/\n(.)/, '\n!$1'))))
    expectCorrupt(new Uint8Array(Buffer.from(good.replace(/-----END CERTIFICATE-----\s*$/, ''))))
    expectCorrupt(new Uint8Array(Buffer.from('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n')))
    // A certificate PEM whose base64 is cut short decodes to truncated DER.
    const lines = good.trim().split('\n')
    const cut = [...lines.slice(0, 5), lines[lines.length - 1]].join('\n')
    expectCorrupt(new Uint8Array(Buffer.from(cut)))
  })
})

describe('damaged and foreign input is CORRUPT_FILE', () => {
  it('rejects empty, junk and other NPKI files', () => {
    expectCorrupt(new Uint8Array(0))
    expectCorrupt(new Uint8Array([0x30]))
    expectCorrupt(new Uint8Array([0x30, 0x80, 0x00, 0x00]))
    expectCorrupt(new Uint8Array([0x30, 0x00]))
    expectCorrupt(new Uint8Array(Buffer.from('hello, world')))
    expectCorrupt(new Uint8Array(Buffer.alloc(2000, 0xff)))
    expectCorrupt(new Uint8Array(2 * 1024 * 1024))
    for (const f of [
      join(FIXTURES, 'NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr', 'signPri.key'),
      join(FIXTURES, 'plain', 'signPri.pkcs8.der'),
      join(FIXTURES, 'pfx', 'bankstyle_3des_randomnum.pfx'),
      join(FIXTURES, 'vectors.json'),
    ]) {
      expectCorrupt(readFixture(f))
    }
  })

  it('allows trailing whitespace but not trailing data', () => {
    const der = readFixture(PATHS.sign)
    expect(parseCertificate(new Uint8Array([...der, 0x0d, 0x0a, 0x20])).serialNumberHex).toBe('03e9')
    const err = expectCorrupt(new Uint8Array([...der, 0x00]))
    expect(err.details.trailingBytes).toBe(1)
    expectCorrupt(new Uint8Array([...der, ...readFixture(PATHS.km)]))
  })

  it('rejects every truncation of every fixture', () => {
    for (const [, path] of ALL) {
      const der = readFixture(path)
      for (let n = 0; n < der.length; n++) expectCorrupt(der.subarray(0, n))
    }
  })

  it('never lets a raw exception escape for bit flips', () => {
    const der = readFixture(PATHS.pypinksign)
    const counts = { ok: 0, corrupt: 0 }
    for (let i = 0; i < der.length; i++) {
      // One flip per byte, rotating the mask so low bits, high bits and whole bytes are all covered.
      const copy = new Uint8Array(der)
      copy[i] = (copy[i] as number) ^ ([0x01, 0x80, 0xff][i % 3] as number)
      counts[parseOrCorrupt(copy)]++
    }
    // Flips in the signature or inside string values still parse; flips in tags and lengths must not.
    expect(counts.ok).toBeGreaterThan(0)
    expect(counts.corrupt).toBeGreaterThan(0)
  })

  it('handles flips in the fixture sign and km certificates', () => {
    for (const path of [PATHS.sign, PATHS.km]) {
      const der = readFixture(path)
      for (let i = 0; i < der.length; i += 3) {
        const copy = new Uint8Array(der)
        copy[i] = (copy[i] as number) ^ 0x80
        parseOrCorrupt(copy)
      }
    }
  })

  it('reports a damaged VID as corrupt rather than absent', () => {
    const der = readFixture(PATHS.sign)
    // 0x04 0x20 = OCTET STRING (32) of the virtualID; turn it into an INTEGER.
    const at = Buffer.from(der).indexOf(Buffer.from([0xa0, 0x22, 0x04, 0x20]))
    expect(at).toBeGreaterThan(0)
    const copy = new Uint8Array(der)
    copy[at + 2] = 0x02
    expect(expectCorrupt(copy).message).toMatch(/VID/)
  })

  it('rejects non-Uint8Array input as INVALID_INPUT', () => {
    // Simulates a caller passing the wrong type through an untyped boundary (IPC).
    expect(() => parseCertificate('abc' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
  })
})

describe('certificates made by openssl at test time', () => {
  let dir: string
  let cleanup: () => void
  beforeAll(() => ({ dir, cleanup } = scratchDir()))
  afterAll(() => cleanup())

  it('normalizes NFD Hangul to NFC', () => {
    const nfd = '홍길동'.normalize('NFD')
    expect(nfd).not.toBe('홍길동')
    const info = parseCertificate(makeCert(dir, 'nfd', `/C=KR/O=yessign/OU=personal4IB/CN=${nfd}()0088046201806111880000`))
    expect(info.commonName).toBe('홍길동()0088046201806111880000')
    expect(info.subjectRdns.at(-1)?.value).toBe('홍길동()0088046201806111880000')
    expect(info.displayName).toBe('홍길동')
    expect(info.ca.id).toBe('yessign')
  })

  it('reads a non-RSA key, GeneralizedTime dates and multi-valued RDNs', () => {
    const key = join(dir, 'mv.key.pem')
    const out = join(dir, 'mv.der')
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key])
    openssl(['req', '-x509', '-new', '-key', key, '-subj', '/C=KR/O=Example/CN=a+UID=b', '-multivalue-rdn',
      '-days', '10000', '-outform', 'DER', '-out', out])
    const info = parseCertificate(readFixture(out))
    expect(info.publicKey).toEqual({ algorithmOid: '1.2.840.10045.2.1' })
    expect(info.notAfter).toBe(opensslDateToIso(x509Field(out, '-enddate')))
    expect(Number(info.notAfter.slice(0, 4))).toBeGreaterThanOrEqual(2050)
    expect(info.subject).toMatch(/^(CN=a\+UID=b|UID=b\+CN=a),O=Example,C=KR$/)
    expect(info.subjectRdns.map((r) => r.type).sort()).toEqual(['C', 'CN', 'O', 'UID'])
    expect(info.isSelfSigned).toBe(true)
  })

  it('skips the generic policy, escapes odd characters and guesses kind from key usage', () => {
    const info = parseCertificate(
      makeCert(dir, 'odd', '/C=KR/O=TradeSign/CN=a,b\\+c\\/d', [
        '-addext', 'certificatePolicies=1.2.410.200004.2.1,1.2.410.200012.1.1.3',
        '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
      ]),
    )
    expect(info.policyOids).toEqual(['1.2.410.200004.2.1', '1.2.410.200012.1.1.3'])
    expect(info.policy.oid).toBe('1.2.410.200012.1.1.3')
    expect(info.policy.ca).toBe('TradeSign')
    expect(info.ca.id).toBe('TradeSign')
    expect(info.commonName).toBe('a,b+c/d')
    expect(info.subject).toBe('CN=a\\,b\\+c/d,O=TradeSign,C=KR')
    expect(info.kind).toBe('unknown')
  })

  it('reads a subject with emailAddress and an unnamed attribute type', () => {
    const info = parseCertificate(makeCert(dir, 'mail', '/C=KR/businessCategory=xyz/emailAddress=a@b.kr/CN=kjh1'))
    expect(info.subjectRdns).toEqual([
      { type: 'C', value: 'KR' },
      { type: '2.5.4.15', value: 'xyz' },
      { type: 'emailAddress', value: 'a@b.kr' },
      { type: 'CN', value: 'kjh1' },
    ])
    expect(info.displayName).toBe('kjh1')
  })

  it('writes the serial like openssl, without the DER sign byte', () => {
    const der = makeCert(dir, 'serial', '/CN=x', ['-set_serial', '0x8f01'])
    const p = writeTemp(dir, 'serial.der', der)
    expect(x509Field(p, '-serial')).toBe('8F01')
    expect(parseCertificate(der).serialNumberHex).toBe('8f01')
  })

  it('writes PEM to a file and reads it back', () => {
    const der = makeCert(dir, 'rt', '/C=KR/O=KICA/CN=x')
    const p = writeTemp(dir, 'rt.der', der)
    const pem = openssl(['x509', '-inform', 'DER', '-in', p, '-outform', 'PEM'])
    expect(parseCertificate(new Uint8Array(pem)).ca.id).toBe('KICA')
  })
})

describe('splitCommonName', () => {
  it.each([
    ['홍길동()0012345678901234', '홍길동', undefined],
    ['HKD(KILDONG.HONG)009104120200225191000030', 'HKD', 'KILDONG.HONG'],
    ['세무법인가나(BizBank)008868520131118188000375', '세무법인가나', 'BizBank'],
    ['(주)가나다(BizBank)0088685201311181', '(주)가나다', 'BizBank'],
    ['테스트(KTNET)', '테스트', 'KTNET'],
    ['이상만-274795', '이상만', undefined],
    ['kjh1', 'kjh1', undefined],
    ['(KTNET)0012', 'KTNET', undefined],
    ['', '', undefined],
  ])('%s', (cn, name, detail) => {
    expect(splitCommonName(cn)).toEqual(detail === undefined ? { displayName: name } : { displayName: name, displayDetail: detail })
  })
})

describe('expiry helpers', () => {
  const info: CertificateInfo = parseCertificate(readFixture(PATHS.sign)) // 2025-01-01 .. 2044-12-27

  it('counts days left in Korean calendar days (notAfter is 2044-12-27 09:00 KST)', () => {
    expect(daysUntilExpiry(info, new Date('2044-12-26T00:00:00Z'))).toBe(1)
    expect(daysUntilExpiry(info, new Date('2044-12-26T14:59:59Z'))).toBe(1)
    expect(daysUntilExpiry(info, new Date('2044-12-26T15:00:00Z'))).toBe(0)
    expect(daysUntilExpiry(info, new Date('2044-12-27T00:00:00Z'))).toBe(0)
    expect(daysUntilExpiry(info, new Date('2044-12-27T00:00:01Z'))).toBe(-1)
    expect(daysUntilExpiry(info, new Date('2044-12-28T00:00:00Z'))).toBe(-1)
    expect(daysUntilExpiry(info, new Date('2043-12-27T00:00:00Z'))).toBe(366)
  })

  it('classifies the state with a warning window', () => {
    expect(expiryState(info, new Date('2024-12-31T23:59:59Z'))).toBe('notYetValid')
    expect(expiryState(info, new Date('2025-01-01T00:00:00Z'))).toBe('valid')
    expect(expiryState(info, new Date('2044-11-27T00:00:00Z'))).toBe('expiring')
    // D-30 (30 whole days and a second left) is already "expiring": the renewal window opens at D-30.
    expect(expiryState(info, new Date('2044-11-26T23:59:59Z'))).toBe('expiring')
    expect(expiryState(info, new Date('2044-11-25T23:59:59Z'))).toBe('valid')
    expect(expiryState(info, new Date('2044-11-25T23:59:59Z'), 60)).toBe('expiring')
    expect(expiryState(info, new Date('2044-12-26T00:00:00Z'), 0)).toBe('valid')
    expect(expiryState(info, new Date('2044-12-27T00:00:01Z'))).toBe('expired')
  })

  it('rejects an invalid date', () => {
    expect(() => daysUntilExpiry(info, new Date('nope'))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
    expect(() => expiryState(info, new Date(Number.NaN))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
  })
})
