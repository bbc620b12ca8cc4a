/**
 * The fast certificate reader of the scan path: the facts a scan needs (names, serial, validity, policy, key
 * usage, VID presence, fingerprint) read straight from the DER with the project's strict reader (core/asn1),
 * without building pkijs/asn1js objects. About 40 times cheaper than `parseCertificate`, which stays the reader
 * of the detail view, of operations and of verification.
 *
 * It gives the same strings as `parseCertificate` (the name, string and key-usage helpers are shared with
 * certificate.ts; test/npki/certSummary.test.ts checks agreement on the fixtures and a generated corpus) and it
 * is stricter: it accepts DER only (definite, minimal lengths). Anything it refuses is a CORRUPT_FILE
 * DojangError; callers that must not lose an odd-but-readable certificate fall back to `parseCertificate` then.
 */
import { createHash } from 'node:crypto'
import { DojangError, isDojangError } from '../../../common/errors'
import { DerError, readOid } from '../asn1/der'
import {
  KEY_USAGE_NAMES, SHORT_NAMES, certificateDer, decodeStringBytes, guessKind, lastValue, nameToString, splitCommonName,
  type CertificateInfo, type Rdn,
} from './certificate'
import { caFromOrganization, classifyPolicies, type CaInfo, type PolicyInfo } from './policies'

/** The scan's view of a certificate: the fields of `CertificateInfo` it needs, under the same names. */
export interface CertSummary {
  subject: string
  issuer: string
  commonName: string
  displayName: string
  displayDetail?: string
  issuerCommonName: string
  issuerOrganization: string
  ca: CaInfo
  /** Same digits as `CertificateInfo.serialNumberHex` (content bytes, one DER sign byte dropped). */
  serialNumberHex: string
  notBefore: string
  notAfter: string
  policyOids: string[]
  policy: PolicyInfo
  keyUsage: string[]
  /** The KISA identifyData otherName carries a VID (`CertificateInfo.vid !== undefined`). */
  hasVid: boolean
  sanRealName?: string
  sha256FingerprintHex: string
  kind: CertificateInfo['kind']
}

const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  certificatePolicies: '2.5.29.32',
  kisaIdentifyData: '1.2.410.200004.10.1.1',
  kisaVid: '1.2.410.200004.10.1.1.1',
} as const

const T = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
  VERSION: 0xa0,
  ISSUER_UID: 0x81,
  SUBJECT_UID: 0x82,
  EXTENSIONS: 0xa3,
} as const

class Bad extends Error {}

const fail = (what: string): never => {
  throw new Bad(what)
}

/**
 * An element of a region that checkTree has already validated (definite minimal lengths that nest exactly):
 * offsets only, with the value and bytes cut out when asked. About half the cost of a general reader that checks
 * and slices every header.
 */
class Tlv {
  constructor(
    readonly buf: Uint8Array,
    readonly tag: number,
    readonly start: number,
    readonly valueStart: number,
    readonly end: number,
  ) {}

  get length(): number {
    return this.end - this.valueStart
  }

  get value(): Uint8Array {
    return this.buf.subarray(this.valueStart, this.end)
  }

  get bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.end)
  }
}

/** The element at `pos` of a checked region. */
function at(buf: Uint8Array, pos: number): Tlv {
  let len = buf[pos + 1] as number
  let v = pos + 2
  if (len >= 0x80) {
    const count = len & 0x7f
    len = 0
    for (let i = 0; i < count; i++) len = len * 256 + (buf[v++] as number)
  }
  return new Tlv(buf, buf[pos] as number, pos, v, v + len)
}

/** The children of a constructed element (checkTree made sure they fill it exactly). */
function kids(t: Tlv, what: string): Tlv[] {
  if ((t.tag & 0x20) === 0) fail(what)
  const out: Tlv[] = []
  for (let pos = t.valueStart; pos < t.end; ) {
    const c = at(t.buf, pos)
    out.push(c)
    pos = c.end
  }
  return out
}

function want(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (t === undefined || t.tag !== tag) return fail(what)
  return t
}

/** Dotted forms of the OIDs seen so far (a few dozen attribute, extension and policy OIDs in practice). */
const OID_MEMO = new Map<string, string>()

function oid(t: Tlv | undefined, what: string): string {
  const o = want(t, T.OID, what)
  let key = ''
  for (let i = o.valueStart; i < o.end; i++) key += String.fromCharCode(o.buf[i] as number)
  let dotted = OID_MEMO.get(key)
  if (dotted === undefined) {
    dotted = readOid({ tag: T.OID, start: 0, headerLength: 0, length: o.length, end: o.length, value: o.value, bytes: o.bytes })
    if (OID_MEMO.size < 4096) OID_MEMO.set(key, dotted)
  }
  return dotted
}

/** AlgorithmIdentifier ::= SEQUENCE { OID, parameters OPTIONAL }; a NULL parameter must be empty. */
function algorithm(t: Tlv | undefined, what: string): string {
  const [id, params, more] = kids(want(t, T.SEQUENCE, what), what)
  if (more !== undefined || (params !== undefined && params.tag === T.NULL && params.length !== 0)) fail(what)
  return oid(id, what)
}

/** A BIT STRING's content after the unused-bits octet (0–7, and 0 when there are no bits). */
function bitString(t: Tlv | undefined, what: string): Uint8Array {
  const v = want(t, T.BIT_STRING, what).value
  if (v.length === 0 || (v[0] as number) > 7 || (v.length === 1 && v[0] !== 0)) fail(what)
  return v.subarray(1)
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

/**
 * Reads the summary of one certificate file (DER, or PEM like `parseCertificate`). Throws CORRUPT_FILE for
 * anything it cannot read, never another kind of exception.
 */
export function readCertSummary(bytes: Uint8Array, opts: { sha256?: string } = {}): CertSummary {
  // The usual file is exactly one DER SEQUENCE: read it in place; anything else is framed like parseCertificate.
  const der = exactDer(bytes) ? bytes : certificateDer(bytes)
  try {
    return summarize(der, der.length === bytes.length ? opts.sha256 : undefined)
  } catch (e) {
    if (isDojangError(e)) throw e
    const detail = e instanceof Bad || e instanceof DerError ? e.message : 'unexpected'
    throw new DojangError('CORRUPT_FILE', 'The file is not a readable X.509 certificate', { field: detail }, { cause: e })
  }
}

/**
 * The whole element tree must be sound where asn1js would look (it decodes every constructed element, not the
 * insides of OCTET or BIT STRINGs): definite minimal lengths, no end-of-contents tags, no constructed form of a
 * primitive-only type or a string, and NULL / BOOLEAN / INTEGER / OID / BIT STRING with valid contents. Keeps the
 * reader from accepting what pkijs refuses. Works on offsets only (no objects): it runs over every element.
 */
function checkTree(buf: Uint8Array, start: number, end: number, depth: number): void {
  if (depth > 32) fail('nesting')
  let pos = start
  while (pos < end) {
    if (pos + 2 > end) fail('truncated header')
    const tag = buf[pos] as number
    if ((tag & 0x1f) === 0x1f) fail('high tag number')
    let len = buf[pos + 1] as number
    pos += 2
    if (len >= 0x80) {
      const count = len & 0x7f
      if (count === 0 || count > 4 || pos + count > end || buf[pos] === 0) fail('length')
      len = 0
      for (let i = 0; i < count; i++) len = len * 256 + (buf[pos++] as number)
      if (len < 0x80) fail('non-minimal length')
    }
    const vEnd = pos + len
    if (vEnd > end) fail('truncated value')
    const constructed = (tag & 0x20) !== 0
    if ((tag & 0xc0) === 0) {
      const n = tag & 0x1f
      if (n === 0) fail('end-of-contents')
      if (constructed) {
        if (n !== 16 && n !== 17) fail('constructed string') // DER: strings are primitive
      } else if (n === 16 || n === 17 || (n === 5 && len !== 0) || (n === 1 && len !== 1) || ((n === 2 || n === 10) && len === 0)) {
        fail('primitive')
      } else if (n === 6) {
        if (len === 0 || ((buf[vEnd - 1] as number) & 0x80) !== 0) fail('OID')
        for (let i = pos; i < vEnd; i++) if (buf[i] === 0x80 && (i === pos || ((buf[i - 1] as number) & 0x80) === 0)) fail('OID')
      } else if (n === 3) {
        if (len === 0 || (buf[pos] as number) > 7 || (len === 1 && buf[pos] !== 0)) fail('BIT STRING')
      }
    }
    if (constructed) checkTree(buf, pos, vEnd, depth + 1)
    pos = vEnd
  }
}

/** A definite-length SEQUENCE that ends exactly at the end of the bytes. */
function exactDer(b: Uint8Array): boolean {
  if (!(b instanceof Uint8Array) || b.length < 2 || b.length > 1 << 20 || b[0] !== 0x30) return false
  const first = b[1] as number
  if (first < 0x80) return first + 2 === b.length
  const count = first & 0x7f
  if (count === 0 || count > 4 || b.length < 2 + count) return false
  let len = 0
  for (let i = 0; i < count; i++) len = len * 256 + (b[2 + i] as number)
  return 2 + count + len === b.length
}

function summarize(der: Uint8Array, knownSha256: string | undefined): CertSummary {
  checkTree(der, 0, der.length, 0)
  const top = at(der, 0)
  if (top.tag !== T.SEQUENCE || top.end !== der.length) fail('certificate')
  const [tbs, sigAlg, sigValue, extra] = kids(top, 'certificate')
  if (extra !== undefined) fail('certificate')
  algorithm(sigAlg, 'signatureAlgorithm')
  bitString(sigValue, 'signatureValue')
  const f = kids(want(tbs, T.SEQUENCE, 'tbsCertificate'), 'tbsCertificate')
  let i = 0
  if (f[0]?.tag === T.VERSION) {
    const v = kids(f[0], 'version')
    if (v.length !== 1) fail('version')
    want(v[0], T.INTEGER, 'version')
    i++
  }
  const serialTlv = want(f[i++], T.INTEGER, 'serialNumber')
  algorithm(f[i++], 'signature')
  const issuerSets = readName(want(f[i++], T.SEQUENCE, 'issuer'), 'issuer')
  const validity = kids(want(f[i++], T.SEQUENCE, 'validity'), 'validity')
  if (validity.length !== 2) fail('validity')
  const subjectSets = readName(want(f[i++], T.SEQUENCE, 'subject'), 'subject')
  checkPublicKey(want(f[i++], T.SEQUENCE, 'subjectPublicKeyInfo'))
  if (f[i]?.tag === T.ISSUER_UID) i++
  if (f[i]?.tag === T.SUBJECT_UID) i++
  let ext: Extensions = { keyUsage: [], policyOids: [], hasVid: false }
  if (f[i]?.tag === T.EXTENSIONS) ext = readExtensions(f[i++] as Tlv)
  if (i !== f.length) fail('tbsCertificate')

  const serial = serialTlv.value
  if (serial.length === 0) throw new DojangError('CORRUPT_FILE', 'The certificate has an empty serial number')
  const subjectRdns = subjectSets.flat()
  const issuerRdns = issuerSets.flat()
  const commonName = lastValue(subjectRdns, 'CN')
  const issuerOrganization = lastValue(issuerRdns, 'O')
  const s: CertSummary = {
    subject: nameToString(subjectSets),
    issuer: nameToString(issuerSets),
    commonName,
    ...splitCommonName(commonName),
    issuerCommonName: lastValue(issuerRdns, 'CN'),
    issuerOrganization,
    ca: caFromOrganization(issuerOrganization),
    serialNumberHex: hex(serial.length > 1 && serial[0] === 0 && (serial[1] as number) & 0x80 ? serial.subarray(1) : serial),
    notBefore: readTime(validity[0] as Tlv, 'notBefore'),
    notAfter: readTime(validity[1] as Tlv, 'notAfter'),
    policyOids: ext.policyOids,
    policy: classifyPolicies(ext.policyOids),
    keyUsage: ext.keyUsage,
    hasVid: ext.hasVid,
    sha256FingerprintHex: knownSha256 ?? createHash('sha256').update(der).digest('hex'),
    kind: guessKind(ext.keyUsage),
  }
  if (ext.sanRealName !== undefined) s.sanRealName = ext.sanRealName
  return s
}

// ---- names ----------------------------------------------------------------------------------------------------

function readName(name: Tlv, what: string): Rdn[][] {
  return kids(name, what).map((set) => {
    if (set.tag !== T.SET) fail(what)
    const atvs = kids(set, what)
    if (atvs.length === 0) fail(what)
    return atvs.map((atv) => {
      if (atv.tag !== T.SEQUENCE) fail(what)
      const [type, value, more] = kids(atv, what)
      if (type === undefined || value === undefined || more !== undefined) fail(what)
      const o = oid(type, what)
      return { type: SHORT_NAMES[o] ?? o, value: stringValue(value as Tlv, what).normalize('NFC') }
    })
  })
}

/**
 * A directory string: the universal string types by their tag; constructed or tagged values as `#hex` of the
 * element (what parseCertificate writes). Other universal primitive types (an INTEGER, a REAL …) are refused:
 * asn1js decodes each by its own rules, and such names do not occur in real certificates.
 */
function stringValue(t: Tlv, what: string): string {
  if ((t.tag & 0xe0) === 0) {
    let s: string | undefined
    try {
      s = decodeStringBytes(t.tag, t.value, what)
    } catch (e) {
      if (isDojangError(e)) fail(what)
      throw e
    }
    return s ?? fail(what)
  }
  return '#' + hex(t.bytes)
}

// ---- time -----------------------------------------------------------------------------------------------------

/** The number written by `n` ASCII digits at `pos`, or -1. */
function digits(b: Uint8Array, pos: number, n: number): number {
  let v = 0
  for (let i = pos; i < pos + n; i++) {
    const d = (b[i] as number) - 0x30
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}

/** UTCTime (YY < 50 → 20YY) or GeneralizedTime, both in the form RFC 5280 prescribes (seconds, Z, no fraction). */
function readTime(t: Tlv, what: string): string {
  const b = t.buf
  let p = t.valueStart
  let y: number
  if (t.tag === T.UTC_TIME && t.length === 13) {
    const yy = digits(b, p, 2)
    y = yy < 0 ? -1 : yy < 50 ? 2000 + yy : 1900 + yy
    p += 2
  } else if (t.tag === T.GENERALIZED_TIME && t.length === 15) {
    y = digits(b, p, 4)
    p += 4
  } else {
    return fail(what)
  }
  const mo = digits(b, p, 2)
  const d = digits(b, p + 2, 2)
  const h = digits(b, p + 4, 2)
  const mi = digits(b, p + 6, 2)
  const s = digits(b, p + 8, 2)
  if (b[p + 10] !== 0x5a || y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) fail(what)
  // Calendar-checked: Date.UTC would roll 31 February over into March (and maps years 0–99 onto 1900–1999).
  const back = new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) fail(what)
  return back.toISOString()
}

// ---- public key -----------------------------------------------------------------------------------------------

/** The same checks as `parseCertificate`: an RSA key must be a well-formed, positive (n, e). */
function checkPublicKey(spki: Tlv): void {
  const [alg, bits, extra] = kids(spki, 'subjectPublicKeyInfo')
  if (extra !== undefined) fail('subjectPublicKeyInfo')
  const algOid = algorithm(alg, 'algorithm')
  const b = bitString(bits, 'subjectPublicKey')
  if (algOid !== OID.rsaEncryption) return
  if ((bits as Tlv).value[0] !== 0) fail('RSA public key')
  const key = single(b, 'RSA public key')
  if (key.tag !== T.SEQUENCE) fail('RSA public key')
  const [n, e, more] = kids(key, 'RSA public key')
  if (more !== undefined) fail('RSA public key')
  for (const x of [want(n, T.INTEGER, 'RSA modulus'), want(e, T.INTEGER, 'RSA exponent')]) {
    if (x.value.length === 0 || (x.value[0] as number) & 0x80) fail('RSA public key')
  }
}

// ---- extensions -----------------------------------------------------------------------------------------------

interface Extensions {
  keyUsage: string[]
  policyOids: string[]
  hasVid: boolean
  sanRealName?: string
}

function readExtensions(wrapper: Tlv): Extensions {
  const out: Extensions = { keyUsage: [], policyOids: [], hasVid: false }
  const inner = kids(wrapper, 'extensions')
  if (inner.length !== 1) fail('extensions')
  const seen = new Set<string>()
  for (const ext of kids(want(inner[0], T.SEQUENCE, 'extensions'), 'extensions')) {
    if (ext.tag !== T.SEQUENCE) fail('extension')
    const parts = kids(ext, 'extension')
    const id = oid(parts[0], 'extension')
    let k = 1
    if (parts[k]?.tag === T.BOOLEAN) k++
    const value = want(parts[k++], T.OCTET_STRING, 'extnValue').value
    if (k !== parts.length) fail('extension')
    if (seen.has(id)) throw new DojangError('CORRUPT_FILE', 'The certificate repeats an extension', { extension: id })
    seen.add(id)
    switch (id) {
      case OID.keyUsage:
        out.keyUsage = readKeyUsage(single(value, 'keyUsage'))
        break
      case OID.certificatePolicies:
        out.policyOids = kids(want(single(value, 'certificatePolicies'), T.SEQUENCE, 'certificatePolicies'), 'certificatePolicies').map((pi) => {
          if (pi.tag !== T.SEQUENCE) fail('certificatePolicies')
          return oid(kids(pi, 'certificatePolicies')[0], 'certificatePolicies')
        })
        break
      case OID.subjectKeyIdentifier:
        want(single(value, 'subjectKeyIdentifier'), T.OCTET_STRING, 'subjectKeyIdentifier')
        break
      case OID.authorityKeyIdentifier: {
        const aki = want(single(value, 'authorityKeyIdentifier'), T.SEQUENCE, 'authorityKeyIdentifier')
        kids(aki, 'authorityKeyIdentifier')
        break
      }
      case OID.subjectAltName:
        readSan(single(value, 'subjectAltName'), out)
        break
      default:
        break
    }
  }
  return out
}

/** One element that fills the bytes exactly. */
function single(bytes: Uint8Array, what: string): Tlv {
  checkTree(bytes, 0, bytes.length, 0) // parseCertificate decodes the whole value with asn1js
  if (bytes.length === 0) fail(what)
  const t = at(bytes, 0)
  if (t.end !== bytes.length) fail(what)
  return t
}

function readKeyUsage(t: Tlv): string[] {
  const bits = bitString(t, 'keyUsage')
  const names: string[] = []
  KEY_USAGE_NAMES.forEach((name, i) => {
    const byte = bits[i >> 3]
    if (byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0) names.push(name)
  })
  return names
}

/** subjectAltName: the first KISA identifyData otherName gives the realName and whether a VID is there. */
function readSan(t: Tlv, out: Extensions): void {
  if (t.tag !== T.SEQUENCE) fail('subjectAltName')
  for (const gn of kids(t, 'subjectAltName')) {
    if (gn.tag !== 0xa0) continue // not an otherName
    const [type, wrapped] = kids(gn, 'otherName')
    if (type === undefined || wrapped === undefined) fail('otherName')
    if (oid(type, 'otherName') !== OID.kisaIdentifyData) continue
    if ((wrapped as Tlv).tag !== 0xa0) fail('otherName')
    const inner = kids(wrapped as Tlv, 'identifyData')[0]
    if (inner === undefined || inner.tag !== T.SEQUENCE) fail('identifyData')
    const [realName, userInfos] = kids(inner as Tlv, 'identifyData')
    if (realName === undefined) fail('identifyData')
    out.sanRealName = stringValue(realName as Tlv, 'identifyData realName').normalize('NFC')
    // Universal 16 in either form: a primitive one is an error, as in parseCertificate.
    if (userInfos !== undefined && (userInfos.tag & 0xdf) === 0x10) {
      for (const info of kids(userInfos, 'userInfos')) {
        const [infoOid, vid] = kids(want(info, T.SEQUENCE, 'userInfo'), 'userInfo')
        if (infoOid === undefined || oid(infoOid, 'userInfo') !== OID.kisaVid) continue
        if (vid === undefined) fail('VID')
        checkVid(vid as Tlv)
        out.hasVid = true
      }
    }
    return
  }
}

function checkVid(t: Tlv): void {
  if (t.tag !== T.SEQUENCE) fail('VID')
  const [alg, wrapped] = kids(t, 'VID')
  if (alg === undefined || wrapped === undefined || alg.tag !== T.SEQUENCE) fail('VID')
  oid(kids(alg as Tlv, 'VID hashAlg')[0], 'VID hashAlg')
  if ((wrapped as Tlv).tag !== 0xa0) fail('VID')
  const octets = kids(wrapped as Tlv, 'VID')[0]
  if (octets === undefined || octets.tag !== T.OCTET_STRING || octets.value.length === 0) fail('VID')
}
